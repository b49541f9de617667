"""The gate's stored refusals keep their reasons as language-neutral codes with parameters
(``{"code": ..., "params": {...}}``) rather than English sentences, so each page shows them
in its reader's language. The data step turns every stored sentence back into its code (a
sentence no code matches is kept as ``{"code": "legacy", "params": {"text": ...}}``);
reversed, the codes become the English sentences again. No column changes."""

from typing import Any

from django.db import migrations

from arrears.compliance.rules import Reason, reason_of

BATCH = 2000


def _rewrite(apps: Any, convert: Any) -> None:
    refusal = apps.get_model("compliance", "ContactRefusal")
    last = 0
    while True:
        rows = list(refusal.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            return
        changed = []
        for row in rows:
            reasons = [convert(item) for item in row.reasons or []]
            if reasons != row.reasons:
                row.reasons = reasons
                changed.append(row)
        refusal.objects.bulk_update(changed, ["reasons"])
        last = rows[-1].pk


def _code(item: object) -> object:
    return reason_of(item).as_dict()


def _sentence(item: object) -> object:
    reason: Reason = reason_of(item)
    return reason.text


def to_codes(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, _code)


def to_sentences(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, _sentence)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0004_encrypt_contact_numbers")]

    operations = [migrations.RunPython(to_codes, to_sentences, elidable=False)]
