"""Default authority matrix (审批权限矩阵): what each role may grant on its own.

Collectors arrange modest plans and small penalty waivers; team leads larger ones; managers
large plans and principal waivers. Other roles grant nothing (no row). Amounts in fen.
Rows an operator has already changed are left alone; reversing removes only rows still at
these defaults.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

YUAN = 100
DEFAULTS: dict[str, dict[str, int]] = {
    "collector": {
        "plan_max_amount": 20_000 * YUAN,
        "plan_max_installments": 6,
        "waiver_max_total": 500 * YUAN,
        "waiver_max_principal": 0,
    },
    "team_lead": {
        "plan_max_amount": 100_000 * YUAN,
        "plan_max_installments": 12,
        "waiver_max_total": 5_000 * YUAN,
        "waiver_max_principal": 0,
    },
    "manager": {
        "plan_max_amount": 1_000_000 * YUAN,
        "plan_max_installments": 36,
        "waiver_max_total": 100_000 * YUAN,
        "waiver_max_principal": 50_000 * YUAN,
    },
}


def add_defaults(apps: Any, schema_editor: Any) -> None:
    limit = apps.get_model("cases", "AuthorityLimit")
    for role, values in DEFAULTS.items():
        limit.objects.get_or_create(role=role, defaults=values)


def remove_defaults(apps: Any, schema_editor: Any) -> None:
    limit = apps.get_model("cases", "AuthorityLimit")
    for role, values in DEFAULTS.items():
        limit.objects.filter(role=role, **values).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_assignment_activities_promises_plans_settlements")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
