"""Default write-off authority (核销审批权限): a team lead approves writing off small balances,
a manager larger ones; every other role none (``writeoff_max_amount`` 0). Amounts in fen.
A row an operator already changed is left alone; reversing resets only rows still at these
defaults."""

from __future__ import annotations

from typing import Any

from django.db import migrations

YUAN = 100
DEFAULTS: dict[str, int] = {"team_lead": 20_000 * YUAN, "manager": 500_000 * YUAN}


def add_defaults(apps: Any, schema_editor: Any) -> None:
    limit = apps.get_model("cases", "AuthorityLimit")
    for role, amount in DEFAULTS.items():
        row, created = limit.objects.get_or_create(
            role=role, defaults={"writeoff_max_amount": amount}
        )
        if not created and row.writeoff_max_amount == 0:
            row.writeoff_max_amount = amount
            row.save(update_fields=["writeoff_max_amount"])


def remove_defaults(apps: Any, schema_editor: Any) -> None:
    limit = apps.get_model("cases", "AuthorityLimit")
    for role, amount in DEFAULTS.items():
        limit.objects.filter(role=role, writeoff_max_amount=amount).update(writeoff_max_amount=0)


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_writeoff_proposals")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
