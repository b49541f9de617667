"""The audit log written before the key: record its length as the unkeyed prefix, and seal
its head outside the database as the first anchor.

Entries from before this upgrade keep their plain SHA-256 hashes (they cannot be re-signed
honestly: signing them now would vouch for whatever the table holds today). Verification
accepts them only as the chain's prefix of exactly ``legacy_count`` entries; the anchor line
appended to ``DATA_DIR/anchors.jsonl`` holds that prefix's head, so a later rewrite of it, or
of keyed entries into unkeyed ones, shows against the anchor.
"""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def legacy_prefix_seal(apps, schema_editor):  # type: ignore[no-untyped-def]
    entry_model = apps.get_model("core", "AuditEntry")
    head_model = apps.get_model("core", "AuditHead")
    alias = schema_editor.connection.alias
    last = entry_model.objects.using(alias).order_by("-number").first()
    if last is None:
        return
    legacy = entry_model.objects.using(alias).filter(key_id="").count()
    head_model.objects.using(alias).filter(pk=1).update(legacy_count=legacy)
    anchor = {
        "count": last.number,
        "hash": last.hash,
        "key_id": "",
        "legacy": legacy,
        "at": timezone.now().isoformat(timespec="seconds"),
        "note": "unkeyed entries sealed at the upgrade to the keyed chain",
    }
    path = Path(settings.DATA_DIR) / "anchors.jsonl"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(anchor, sort_keys=True) + "\n")
    except OSError as error:
        # The upgrade itself must not fail for this; the operator is told to anchor by hand.
        sys.stderr.write(
            f"Could not write the first audit anchor to {path} ({error}); run "
            "`arrears audit anchor` now to seal the unkeyed audit entries.\n"
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_chain_keyed")]

    operations = [migrations.RunPython(legacy_prefix_seal, migrations.RunPython.noop)]
