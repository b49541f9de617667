"""``arrears insights roll-rates --from YYYY-MM --to YYYY-MM [--creditor NAME] [--json]``:
the month-to-month transition matrix of buckets."""

from __future__ import annotations

from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper

from arrears.insights.calculations.months import months_later
from arrears.insights.kpis_options import (
    add_creditor_and_json,
    closed_months,
    creditor_ids_from,
    json_write,
    month_option,
    rate_text,
)
from arrears.insights.roll_rates import roll_rates


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``roll-rates`` subcommand to ``arrears insights``."""
    parser = actions.add_parser(
        "roll-rates",
        help="roll (flow) rates between buckets, month by month",
        description=(
            "For each month: of the active loans in each bucket at the previous month end,"
            " how many (and how much principal) stood in each bucket, or closed, at this"
            " month end."
        ),
    )
    parser.add_argument(
        "--from",
        dest="first",
        metavar="YYYY-MM",
        help="the first month (default: 11 months before --to, or the second month closed)",
    )
    parser.add_argument(
        "--to", dest="last", metavar="YYYY-MM", help="the last month (default: the last closed)"
    )
    add_creditor_and_json(parser)
    parser.set_defaults(run=run)


def run(options: dict[str, Any], stdout: OutputWrapper) -> int | None:
    """Print the roll rates as JSON or as one matrix per month."""
    last = month_option(options, "last", "--to")
    if options.get("first"):
        first = month_option(options, "first", "--from")
    else:
        # Twelve months, or as many as have a closed month end before them.
        first = max(months_later(last, -11), months_later(closed_months()[0], 1))
        first = min(first, last)
    report = roll_rates(first, last, creditor_ids=creditor_ids_from(options))
    if options["json"]:
        json_write(stdout, report)
        return None
    for line in roll_rate_lines(report["rows"]):
        stdout.write(line)
    return None


def roll_rate_lines(rows: list[dict[str, Any]]) -> list[str]:
    """One matrix per month: a line per ``from`` bucket with its base and the rate to each
    ``to`` (loans), as the rows give them."""
    lines: list[str] = []
    months = list(dict.fromkeys(row["month"] for row in rows))
    for month in months:
        cells = [row for row in rows if row["month"] == month]
        targets = list(dict.fromkeys(row["to"] for row in cells))
        lines.append(f"Month {month}")
        lines.append(f"  {'from':<6}{'base':>9}" + "".join(f"{to:>9}" for to in targets))
        for source in dict.fromkeys(row["from"] for row in cells):
            line = [row for row in cells if row["from"] == source]
            rates = {row["to"]: row["rate"] for row in line}
            lines.append(
                f"  {source:<6}{line[0]['base']:>9}"
                + "".join(f"{rate_text(rates.get(to)):>9}" for to in targets)
            )
    if not months:
        lines.append("No active loans in those months.")
    return lines
