"""``arrears worker``: take work from the database queue — partitions of running cycles, and
the outbox (SMS, email, letters).

Start it on any machine that can reach the database; work is claimed with ``SKIP LOCKED``
on PostgreSQL, so several workers share it. ``--until-empty`` exits when nothing is due
(tests, cron); otherwise it polls every ``ARREARS_WORKER_POLL`` seconds (default 5).

It prints one line for what it did, ``sent 74, failed 0, deferred 12 (quiet hours)`` (and
retrying, unknown, blocked, cancelled when any; ``arrears outbox --failed`` lists the
failures with their reasons), at the end with ``--until-empty``, else after each pass that
did something. On a terminal a progress bar (rate, ETA) runs on standard error.
"""

from __future__ import annotations

import os
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from arrears.core.commands import DataCommand
from arrears.core.progress import progress
from arrears.cycle.runner import work_until_empty
from arrears.outreach.channels.registry import CHANNELS, channels_from_settings
from arrears.outreach.sender import (
    Liveness,
    RateLimit,
    SendTally,
    due_count,
    recover,
    send_due,
)


class Command(DataCommand):
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
            with progress(total=None, desc="cycle", unit="step") as bar:
                done = work_until_empty(on_progress=lambda _step: bar.update())
            self.stdout.write(f"{done:,} partitions processed")
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
        tally = SendTally()
        partitions_done = 0
        try:
            while True:
                recovered = recover(liveness)
                partitions = 0 if options["outbox_only"] else work_until_empty()
                partitions_done += partitions
                # A pass's tally: printed at the end (--until-empty) or after the pass.
                passing = SendTally() if not options["until_empty"] else tally
                due = due_count(names)
                # Nothing due: no bar (a polling worker's idle passes draw nothing).
                watch = None if due else False
                with progress(total=due, desc="outbox", unit="msg", force=watch) as bar:
                    sent = send_due(
                        channels, liveness, limits=limits, tally=passing, on_progress=bar.update
                    )
                if options["verbosity"] > 1 or recovered:
                    self.stdout.write(
                        f"{partitions} partitions, {sent} messages handed to providers,"
                        f" {recovered} left sending by a stopped worker marked unknown"
                    )
                if not options["until_empty"] and (partitions or passing.settled):
                    self._summary(passing, partitions, outbox_only=options["outbox_only"])
                if options["until_empty"] and not partitions and not sent:
                    self._summary(tally, partitions_done, outbox_only=options["outbox_only"])
                    return
                if not partitions and not sent:
                    time.sleep(poll)
        finally:
            liveness.release()

    def _summary(self, tally: SendTally, partitions: int, *, outbox_only: bool) -> None:
        """One line: what became of the messages taken (and the partitions processed)."""
        line = tally.summary()
        if not outbox_only:
            line = f"{partitions:,} partitions processed; {line}"
        self.stdout.write(line)
