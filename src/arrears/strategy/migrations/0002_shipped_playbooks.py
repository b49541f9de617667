"""Data: the playbooks Arrears ships (consumer loan, guaranteed loan, credit card) as
version 1, from strategy/data/playbooks/*.yaml. Editable afterwards like any other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import migrations

SHIPPED = ("consumer-loan", "guaranteed-loan", "credit-card")
FOLDER = Path(__file__).resolve().parent.parent / "data" / "playbooks"


def load(apps: Any, schema_editor: Any) -> None:
    from arrears.strategy.definition import load_yaml, to_data

    Playbook = apps.get_model("strategy", "Playbook")
    PlaybookVersion = apps.get_model("strategy", "PlaybookVersion")
    for name in SHIPPED:
        definition = load_yaml((FOLDER / f"{name}.yaml").read_text(encoding="utf-8"))
        if Playbook.objects.filter(name=definition.name).exists():
            continue
        playbook = Playbook.objects.create(
            name=definition.name,
            title=definition.title,
            priority=definition.priority,
            version=1,
        )
        PlaybookVersion.objects.create(
            playbook=playbook, number=1, definition=to_data(definition), note="shipped"
        )


def unload(apps: Any, schema_editor: Any) -> None:
    Playbook = apps.get_model("strategy", "Playbook")
    PlaybookVersion = apps.get_model("strategy", "PlaybookVersion")
    # Only untouched shipped playbooks go; edited ones are the user's data now.
    for playbook in Playbook.objects.filter(name__in=SHIPPED, version=1):
        PlaybookVersion.objects.filter(playbook=playbook).delete()
        playbook.delete()


class Migration(migrations.Migration):
    dependencies = [("strategy", "0001_playbooks_cases_actions")]

    operations = [migrations.RunPython(load, unload)]
