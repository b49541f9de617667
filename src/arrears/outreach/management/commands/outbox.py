"""``arrears outbox [--json]``: messages by channel and status.

``arrears outbox --failed [--limit N] [--channels sms,email] [--json]``: the latest failed
messages with their reasons — id, channel, masked recipient, template, when, reason (JSON:
``{"failed": <count of all>, "messages": [{"id", "channel", "to", "template", "purpose",
"loan_id", "case_id", "failed_at", "attempts", "reason"}]}``).

``arrears outbox resolve [--json]``: put right what stopped workers left (their claimed
messages back in the queue, their sending ones unknown), then ask the SMS provider about
every unknown SMS (``outreach.resolving``): found is sent, not found after the provider's
window goes again, the rest stay for a person.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from arrears.core.commands import DataCommand
from arrears.outreach.channels.registry import channels_from_settings
from arrears.outreach.liveness import Liveness, recover
from arrears.outreach.resolving import resolve_unknown
from arrears.outreach.selectors import outbox_counts, outbox_failed, outbox_failed_count


class Command(DataCommand):
    help = "Count the outbox's messages by channel and status, or resolve unknown ones."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "action",
            nargs="?",
            choices=["counts", "resolve"],
            default="counts",
            help="counts (default), or resolve: ask the SMS provider about unknown messages",
        )
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--failed",
            action="store_true",
            help="list the latest failed messages with their reasons",
        )
        parser.add_argument(
            "--limit", type=int, default=50, help="with --failed: how many (default 50)"
        )
        parser.add_argument(
            "--channels", default="", help="with --failed: only these channels (sms,email)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "resolve":
            if options["failed"]:
                raise CommandError(
                    "--failed lists messages; it does not go with resolve", returncode=2
                )
            self._resolve(as_json=options["json"])
            return
        if options["failed"]:
            self._failed(options)
            return
        counts = outbox_counts()
        if options["json"]:
            self.stdout.write(json.dumps(counts, ensure_ascii=False))
            return
        if not counts:
            self.stdout.write("The outbox is empty.")
        for channel, statuses in counts.items():
            shown = ", ".join(f"{status} {n:,}" for status, n in statuses.items())
            self.stdout.write(f"{channel:<7} {shown}")

    def _resolve(self, *, as_json: bool) -> None:
        marked = recover(Liveness())
        settled = resolve_unknown(channels_from_settings(["sms"]))
        if as_json:
            self.stdout.write(json.dumps({"marked_unknown": marked, "sms": settled}))
            return
        self.stdout.write(
            f"{marked} left sending by a stopped worker marked unknown; unknown SMS asked"
            f" about: {', '.join(f'{k} {v}' for k, v in sorted(settled.items())) or 'none'}"
        )

    def _failed(self, options: dict[str, Any]) -> None:
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1", returncode=2)
        channels = [c.strip() for c in options["channels"].split(",") if c.strip()] or None
        total = outbox_failed_count(channels=channels)
        rows = outbox_failed(limit=options["limit"], channels=channels)
        if options["json"]:
            payload = {"failed": total, "messages": rows}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        if not rows:
            self.stdout.write("No failed messages.")
            return
        shown = f" (the latest {len(rows):,})" if len(rows) < total else ""
        noun = "message" if total == 1 else "messages"
        self.stdout.write(f"{total:,} failed {noun}{shown}:")
        for row in rows:
            when = timezone.localtime(datetime.fromisoformat(row["failed_at"]))
            self.stdout.write(
                f"{row['id']:>8}  {row['channel']:<6}  {row['to'] or '-':<18}  "
                f"{row['template'] or row['purpose']:<22}  {when:%Y-%m-%d %H:%M}  "
                f"{row['reason'] or '-'}"
            )
