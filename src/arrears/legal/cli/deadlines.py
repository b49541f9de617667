"""``arrears legal deadlines [--within DAYS] [--json]``: what must happen by when, on every
open matter, soonest first (missed ones first of all)."""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper
from django.utils import timezone

from arrears.core.errors import InvalidInput
from arrears.legal.selectors import deadlines_running


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add ``deadlines``."""
    parser = actions.add_parser("deadlines", help="deadlines of the open matters, soonest first")
    parser.add_argument(
        "--within", type=int, metavar="DAYS", help="only those due within DAYS (and missed ones)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=_run)


def _run(options: dict[str, Any], stdout: OutputWrapper) -> None:
    within = options.get("within")
    if within is not None and not 0 <= within <= 36_500:
        raise InvalidInput("--within: give a number of days from 0 to 36500", field="within")
    today = timezone.localdate()
    rows = [row.report(today=today) for row in deadlines_running(today=today, within=within)]
    if options["json"]:
        # A list of rows, as the contract names them, each with a few extra keys.
        stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        stdout.write("No deadlines running" + (f" within {within} days." if within else "."))
        return
    for row in rows:
        late = " MISSED" if row["days_left"] < 0 else ""
        stdout.write(
            f"{row['due_on']} ({row['days_left']:+d} d){late} matter #{row['matter']}"
            f" {row['loan_id']} {row['kind']}: {row['label']}"
        )
        stdout.write(f"    {row['rule']}")
