"""``arrears quality report --month YYYY-MM [--json]``: each collector's month of calls."""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper

from arrears.quality.periods import month_parse
from arrears.quality.selectors import quality_report, report_totals


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``report`` subcommand to ``arrears quality``."""
    parser = actions.add_parser(
        "report",
        help="the monthly quality report per collector",
        description="Per collector, the calls of the month: how many, how many recorded,"
        " sampled and reviewed, the average of the latest review scores, breaches by"
        " checklist item, and the forbidden phrases found in transcripts.",
    )
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="the month")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def run(options: dict[str, Any], stdout: OutputWrapper) -> None:
    """Print the report as a table, or as ``{"month", "collectors", "totals"}``."""
    first, last = month_parse(options["month"], field="--month")
    rows = quality_report(first_day=first, last_day=last)
    if options["json"]:
        report = {
            "month": f"{first:%Y-%m}",
            "collectors": [line.as_dict() for line in rows],
            "totals": report_totals(rows),
        }
        stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        return
    stdout.write(f"Quality report {first:%Y-%m}")
    stdout.write(
        f"{'collector':<20} {'calls':>6} {'recorded':>9} {'sampled':>8} {'reviewed':>9}"
        f" {'score':>6} {'breaches':>9} {'flags':>6}"
    )
    for line in rows:
        score = "-" if line.average_score is None else f"{line.average_score:.1f}"
        stdout.write(
            f"{line.collector:<20} {line.calls:>6} {line.recorded_pct:>8.1f}% {line.sampled:>8}"
            f" {line.reviewed:>9} {score:>6} {sum(line.breaches.values()):>9} {line.flags:>6}"
        )
    if not rows:
        stdout.write("no calls in this month")
