"""``arrears audit verify|anchor|rekey``: check the keyed audit chain, export its head
outside the database, start a new key's segment (docs/security.md, "Audit chain")."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError

from arrears.core.audit import AuditCheck, audit_anchor_make, audit_rekey, audit_verify
from arrears.core.audit_anchor import (
    Anchor,
    anchor_append,
    anchor_default_path,
    anchor_post,
    anchors_read,
)
from arrears.core.commands import DataCommand
from arrears.core.errors import ArrearsError


class Command(DataCommand):
    help = (
        "verify: recompute the audit chain with its key and check it against the latest "
        "anchor (exit 1 at the first bad entry); anchor: export the head (hash, count, time, "
        "key id) to a file, stdout or an address; rekey: sign from now on with a new key."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["verify", "anchor", "rekey"])
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--anchor",
            help="verify: the anchor file to check against (default DATA_DIR/anchors.jsonl "
            "when it exists)",
        )
        parser.add_argument(
            "--out",
            help="anchor: the file the anchor line is appended to (default "
            "DATA_DIR/anchors.jsonl), or - to print it",
        )
        parser.add_argument("--url", help="anchor: also POST the anchor as JSON to this address")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "verify":
                self._verify(options)
            elif options["action"] == "anchor":
                self._anchor(options)
            else:
                entry = audit_rekey()
                self.stdout.write(
                    f"Audit key rotated: entries from #{entry.number} are signed with key "
                    f"{entry.key_id}; key {entry.data['retired'] or '(none)'} is retired and "
                    "kept for verification. Anchor now: arrears audit anchor"
                )
        except (ArrearsError, ImproperlyConfigured) as error:
            raise CommandError(str(error), returncode=2) from error

    def _anchors(self, given: str | None) -> tuple[list[Anchor], Path | None]:
        path = Path(given) if given else anchor_default_path()
        if given is None and not path.exists():
            return [], None
        return anchors_read(path), path

    def _verify(self, options: dict[str, Any]) -> None:
        anchors, path = self._anchors(options["anchor"])
        check = audit_verify(anchors=anchors)
        if options["json"]:
            self.stdout.write(json.dumps(self._as_json(check, path)))
        elif check.intact:
            self.stdout.write(self._summary(check, path))
        if check.broken is not None:
            raise CommandError(
                f"audit chain broken at entry {check.broken.number}: {check.broken.problem}"
            )

    def _summary(self, check: AuditCheck, path: Path | None) -> str:
        text = f"Audit chain intact: {check.count} entries, head {check.head_hash[:16]}…"
        if check.legacy:
            text += f" ({check.legacy} unkeyed entries from before the audit key)"
        if check.anchor is not None:
            text += (
                f"; matches the anchor of {check.anchor.at} ({check.anchor.count} entries) "
                f"in {path}."
            )
        else:
            text += "; no anchor checked (arrears audit anchor exports one)."
        return text

    def _as_json(self, check: AuditCheck, path: Path | None) -> dict[str, Any]:
        return {
            "entries": check.count,
            "intact": check.intact,
            "broken_at": check.broken.number if check.broken else None,
            "problem": check.broken.problem if check.broken else None,
            "head": check.head_hash,
            "key_id": check.key_id,
            "unkeyed": check.legacy,
            "anchor": (
                {"file": str(path), "at": check.anchor.at, "count": check.anchor.count}
                if check.anchor
                else None
            ),
        }

    def _anchor(self, options: dict[str, Any]) -> None:
        out = options["out"]
        to_file = None if out == "-" else Path(out) if out else anchor_default_path()
        previous = anchors_read(to_file) if to_file is not None and to_file.exists() else []
        check, anchor = audit_anchor_make(anchors=previous)
        if anchor is None:
            assert check.broken is not None
            raise CommandError(
                f"not anchored: audit chain broken at entry {check.broken.number}: "
                f"{check.broken.problem}"
            )
        if options["url"]:
            status = anchor_post(options["url"], anchor)
            self.stderr.write(f"Anchor posted to {options['url']} (HTTP {status}).")
        if to_file is None:
            self.stdout.write(anchor.line())
            return
        anchor_append(to_file, anchor)
        self.stdout.write(
            f"Anchored {anchor.count} entries, head {anchor.hash[:16]}…, key "
            f"{anchor.key_id or '(unkeyed)'}, in {to_file}."
        )
