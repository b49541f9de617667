"""``arrears outbox [--json]``: messages by channel and status.

``arrears outbox resolve [--json]``: put right what stopped workers left (their claimed
messages back in the queue, their sending ones unknown), then ask the SMS provider about
every unknown SMS (``outreach.resolving``): found is sent, not found after the provider's
window goes again, the rest stay for a person.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from arrears.outreach.channels.registry import channels_from_settings
from arrears.outreach.liveness import Liveness, recover
from arrears.outreach.resolving import resolve_unknown
from arrears.outreach.selectors import outbox_counts


class Command(BaseCommand):
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

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "resolve":
            self._resolve(as_json=options["json"])
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
