"""``arrears insights writeoff-recoveries --month YYYY-MM [--creditor NAME] [--json]``:
money received in a month on loans already written off (核销后回收)."""

from __future__ import annotations

from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper

from arrears.insights.kpis_options import (
    add_creditor_and_json,
    creditor_ids_from,
    json_write,
    month_option,
)
from arrears.insights.writeoff_recoveries import writeoff_recoveries


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``writeoff-recoveries`` subcommand to ``arrears insights``."""
    parser = actions.add_parser(
        "writeoff-recoveries",
        help="post-write-off recoveries of a month",
        description=(
            "Payments received in the month on loans written off before the payment's day,"
            " by loan, with the amount written off and everything recovered since."
        ),
    )
    parser.add_argument("--month", required=True, metavar="YYYY-MM")
    add_creditor_and_json(parser)
    parser.set_defaults(run=run)


def run(options: dict[str, Any], stdout: OutputWrapper) -> int | None:
    """Print the month's recoveries as JSON or a table."""
    report = writeoff_recoveries(
        month_option(options, "month", "--month"), creditor_ids=creditor_ids_from(options)
    )
    if options["json"]:
        json_write(stdout, report)
        return None
    stdout.write(f"Post-write-off recoveries, {report['month']}")
    stdout.write(
        f"  {'creditor':<16}{'loan':<16}{'written off on':<16}{'written off':>14}"
        f"{'this month':>14}{'to date':>14}"
    )
    for row in report["loans"]:
        stdout.write(
            f"  {row['creditor']:<16}{row['loan']:<16}{row['written_off_on']:<16}"
            f"{row['written_off']:>14}{row['recovered_in_month']:>14}{row['recovered_to_date']:>14}"
        )
    if not report["loans"]:
        stdout.write("No recoveries on written-off loans this month.")
    stdout.write(f"  total {report['total']}")
    return None
