"""Data: the templates issue 17 ships (the guarantor demand letter 保证责任催告函 and the
assignment notice 债权转让通知书) for databases made before them. A new database has them
from 0004, which loads every shipped file; this runs the same load, which skips what is
there. Backwards, only the untouched shipped versions of these two codes go."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.db import migrations

CODES = ("guarantor-demand", "assignment-notice")
SHIPPED = "arrears.outreach.migrations.0004_shipped_templates"


def load(apps: Any, schema_editor: Any) -> None:
    import_module(SHIPPED).load(apps, schema_editor)


def unload(apps: Any, schema_editor: Any) -> None:
    MessageTemplate = apps.get_model("outreach", "MessageTemplate")
    note = import_module(SHIPPED).SHIPPED_NOTE
    for code in CODES:
        versions = list(MessageTemplate.objects.filter(code=code))
        # A version published later (or an edited one) is the user's data now: keep all.
        if versions and all(v.version == 1 and v.note == note for v in versions):
            MessageTemplate.objects.filter(code=code).delete()


class Migration(migrations.Migration):
    dependencies = [("outreach", "0007_template_purposes_guarantee_assignment")]

    operations = [migrations.RunPython(load, unload)]
