"""Collectors may waive penalty only; team leads penalty, interest and fees; managers all."""

from __future__ import annotations

from typing import Any

from django.db import migrations

COMPONENTS = {
    "collector": "penalty",
    "team_lead": "penalty,interest,fees",
}
ALL = "penalty,interest,fees,principal"


def narrow(apps: Any, schema_editor: Any) -> None:
    limits = apps.get_model("cases", "AuthorityLimit")
    for role, components in COMPONENTS.items():
        limits.objects.filter(role=role, waiver_components=ALL).update(waiver_components=components)


def widen(apps: Any, schema_editor: Any) -> None:
    limits = apps.get_model("cases", "AuthorityLimit")
    for role, components in COMPONENTS.items():
        limits.objects.filter(role=role, waiver_components=components).update(waiver_components=ALL)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_authority_waivable_components")]

    operations = [migrations.RunPython(narrow, widen)]
