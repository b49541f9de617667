"""``arrears restore PATH [--force]``: put a backup into the configured database and check
its audit chain against the head the backup recorded (docs/security.md, "Backups")."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError

from arrears.core.audit_anchor import anchor_default_path, anchors_read
from arrears.core.backup import backup_restore
from arrears.core.commands import DataCommand
from arrears.core.errors import ArrearsError


class Command(DataCommand):
    help = (
        "Restore a backup made by `arrears backup` into the configured database, then verify "
        "the audit chain against the head recorded with the backup. Refuses a database that "
        "already has tables unless --force."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="the backup file (its PATH.meta.json beside it)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore into a database that is not empty: every table the backup holds is "
            "replaced by the backup's (SQLite: the whole database; PostgreSQL: pg_restore "
            "--clean --if-exists, other tables left in place); what was there is lost",
        )
        parser.add_argument(
            "--without-sidecar",
            action="store_true",
            help="restore a backup whose sidecar is lost (the audit chain is then checked "
            "with the key only, not against the recorded head)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = backup_restore(
                path=Path(options["path"]),
                force=options["force"],
                without_sidecar=options["without_sidecar"],
            )
        except (ArrearsError, ImproperlyConfigured) as error:
            raise CommandError(str(error), returncode=2) from error
        meta, check = done.meta, done.check
        if meta:
            self.stdout.write(
                f"Restored {options['path']} (Arrears {meta['arrears_version']}, "
                f"{meta['database']}, made {meta['created_at']})."
            )
        else:
            self.stdout.write(f"Restored {options['path']} (no sidecar: head not compared).")
        if done.pending_migrations:
            self.stdout.write(
                f"{len(done.pending_migrations)} migrations of this version are not applied "
                "in the backup: run `arrears migrate`."
            )
        if check.broken is not None:
            hint = ""
            if "not in the keyring" in check.broken.problem:
                hint = " (set the audit keys the backup was made with: see docs/security.md)"
            raise CommandError(
                f"audit chain broken at entry {check.broken.number}: {check.broken.problem}{hint}"
            )
        if done.head_matches is False:
            expected = meta["audit"] if meta else {}
            raise CommandError(
                f"audit head differs from the backup's: {check.count} entries, head "
                f"{check.head_hash[:16]}…, where the backup recorded {expected.get('count')} "
                f"entries, head {str(expected.get('hash'))[:16]}…"
            )
        self.stdout.write(
            f"Audit chain intact: {check.count} entries, head {check.head_hash[:16]}…"
            + (", the same as the backup recorded." if done.head_matches else ".")
        )
        anchors = anchor_default_path()
        try:
            later = [a for a in anchors_read(anchors) if a.count > check.count]
        except ArrearsError:
            later = []  # no anchor file here, or not one verify can read: nothing to warn of
        if later:
            self.stdout.write(
                f"Note: {anchors} anchors {max(a.count for a in later)} entries, more than "
                "the backup holds; `arrears audit verify` will report them as removed. Keep "
                "that file as evidence and start a new one (move it aside), then run "
                "`arrears audit anchor`."
            )
