"""``arrears worker``: take work from the database queue — partitions of running cycles, and
the outbox (SMS, email, letters).

Start it on any machine that can reach the database; work is claimed with ``SKIP LOCKED``
on PostgreSQL, so several workers share it. ``--until-empty`` exits when nothing is due
(tests, cron); otherwise it polls every ``ARREARS_WORKER_POLL`` seconds (default 5).
"""

from __future__ import annotations

import os
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from arrears.cycle.runner import work_until_empty
from arrears.outreach.channels.registry import CHANNELS, channels_from_settings
from arrears.outreach.sender import Liveness, RateLimit, recover, send_due


class Command(BaseCommand):
    help = "Process queued work: partitions of running cycles, and the outbox."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--cycle-only", action="store_true", help="only cycle partitions, then exit"
        )
        parser.add_argument("--outbox-only", action="store_true", help="only send messages")
        parser.add_argument(
            "--channels",
            default=",".join(CHANNELS),
            help="which outbox channels to send (default: sms,email,letter)",
        )
        parser.add_argument(
            "--until-empty", action="store_true", help="exit when nothing is left to do"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cycle_only"]:
            done = work_until_empty()
            if options["verbosity"] > 1:
                self.stdout.write(f"{done} partitions processed")
            return

        names = [n.strip() for n in options["channels"].split(",") if n.strip()]
        unknown = sorted(set(names) - set(CHANNELS))
        if unknown:
            raise CommandError(f"--channels: unknown {', '.join(unknown)}", returncode=2)
        channels = channels_from_settings(names)
        limits = {
            name: RateLimit(float(os.environ.get(f"ARREARS_RATE_{name.upper()}", "0")))
            for name in names
        }
        poll = float(os.environ.get("ARREARS_WORKER_POLL", "5"))
        liveness = Liveness()
        liveness.hold()
        try:
            while True:
                recovered = recover(liveness)
                partitions = 0 if options["outbox_only"] else work_until_empty()
                sent = send_due(channels, liveness, limits=limits)
                if options["verbosity"] > 1 or recovered:
                    self.stdout.write(
                        f"{partitions} partitions, {sent} messages handed to providers,"
                        f" {recovered} left sending by a stopped worker marked unknown"
                    )
                if options["until_empty"] and not partitions and not sent:
                    return
                if not partitions and not sent:
                    time.sleep(poll)
        finally:
            liveness.release()
