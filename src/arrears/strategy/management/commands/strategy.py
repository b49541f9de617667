"""``arrears strategy simulate PLAYBOOK [--version V[,V…]] --from D1 --to D2 [--json]``.

Replays a playbook's versions over the days the cycle closed, side by side, and prints
what each would have done: cases, actions by type and channel, the compliance gate's
refusals by reason, the cost by channel and cases reaching legal. Nothing is sent,
planned or written (docs/strategy.md, "Strategy simulation").
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _g

from arrears.core.bounds import date_check
from arrears.core.commands import DataCommand
from arrears.core.dates import parse_date
from arrears.core.errors import ArrearsError, InvalidInput
from arrears.strategy.simulation import playbook_simulate, simulation_json, simulation_text

# Versions side by side on one screen.
MAX_VERSIONS = 4


def parse_versions(text: str | None) -> list[int]:
    """``--version 3`` or ``--version 3,4``: distinct version numbers, in the order given."""
    if text is None:
        return []
    numbers: list[int] = []
    for item in text.split(","):
        item = item.strip().lstrip("vV")
        if not item.isdigit() or int(item) < 1:
            raise InvalidInput(
                _g("--version: '%(text)s' is not a version number or a list like 3,4")
                % {"text": text},
                field="version",
            )
        if int(item) not in numbers:
            numbers.append(int(item))
    if len(numbers) > MAX_VERSIONS:
        raise InvalidInput(
            _g("--version: at most %(count)s versions side by side") % {"count": MAX_VERSIONS},
            field="version",
        )
    return numbers


def parse_day(text: str, option: str) -> date:
    """A business date given on the command line, or ``InvalidInput`` naming the option."""
    try:
        day = parse_date(text)
    except ValueError as exc:
        raise InvalidInput(f"{option}: {exc}", field=option) from exc
    try:
        date_check(day, field=option)
    except InvalidInput as exc:
        raise InvalidInput(f"{option}: {exc}", field=option) from exc
    return day


class Command(DataCommand):
    help = "Collection strategy tools: simulate a playbook's versions over closed days."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        simulate = actions.add_parser(
            "simulate",
            help="replay a playbook over closed days without sending or writing anything",
            description=(
                "Replay a playbook's versions over the days the cycle closed and print, side"
                " by side: cases, actions by type and channel, contacts the compliance gate"
                " would refuse and why, cost per channel (ARREARS_CHANNEL_COSTS) and cases"
                " reaching legal. Nothing is sent, planned or written."
            ),
        )
        simulate.add_argument("playbook", metavar="PLAYBOOK", help="the playbook's name")
        simulate.add_argument(
            "--version",
            metavar="V[,V]",
            help="the version to replay, or versions side by side (3,4); default: the current",
        )
        simulate.add_argument("--from", dest="first", required=True, metavar="D1")
        simulate.add_argument("--to", dest="last", required=True, metavar="D2")
        simulate.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            simulation = playbook_simulate(
                playbook=options["playbook"],
                versions=parse_versions(options["version"]),
                first=parse_day(options["first"], "--from"),
                last=parse_day(options["last"], "--to"),
            )
        except ArrearsError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if options["json"]:
            self.stdout.write(json.dumps(simulation_json(simulation), ensure_ascii=False, indent=2))
        else:
            for line in simulation_text(simulation):
                self.stdout.write(line)
