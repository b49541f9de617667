"""Data: the message templates Arrears ships (zh-hans and en), from
outreach/data/templates/<code>.<channel>.<language>.txt, as version 1. Editable afterwards
through template_publish like any other."""

from __future__ import annotations

from typing import Any

from django.db import migrations

SHIPPED_NOTE = "shipped"


def load(apps: Any, schema_editor: Any) -> None:
    from arrears.outreach.rendering import shipped_templates

    MessageTemplate = apps.get_model("outreach", "MessageTemplate")
    for shipped in shipped_templates():
        key = {"code": shipped.code, "channel": shipped.channel, "language": shipped.language}
        if MessageTemplate.objects.filter(**key).exists():
            continue
        MessageTemplate.objects.create(
            **key,
            purpose=shipped.purpose,
            version=1,
            subject=shipped.subject,
            body=shipped.body,
            active=True,
            note=SHIPPED_NOTE,
        )


def unload(apps: Any, schema_editor: Any) -> None:
    from arrears.outreach.rendering import shipped_templates

    MessageTemplate = apps.get_model("outreach", "MessageTemplate")
    # Only untouched shipped templates go: one published later is the user's data now.
    for shipped in shipped_templates():
        key = {"code": shipped.code, "channel": shipped.channel, "language": shipped.language}
        versions = list(MessageTemplate.objects.filter(**key))
        if len(versions) == 1 and (
            versions[0].version,
            versions[0].note,
            versions[0].subject,
            versions[0].body,
            versions[0].created_by_id,
        ) == (1, SHIPPED_NOTE, shipped.subject, shipped.body, None):
            versions[0].delete()


class Migration(migrations.Migration):
    dependencies = [("outreach", "0003_message_templates")]

    operations = [migrations.RunPython(load, unload)]
