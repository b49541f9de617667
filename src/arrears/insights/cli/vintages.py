"""``arrears insights vintages --metric ever30|ever90 [--creditor NAME] [--json]``: the
share of each disbursement month's loans that went bad by each month on book."""

from __future__ import annotations

from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper

from arrears.insights.kpis_options import (
    add_creditor_and_json,
    creditor_ids_from,
    json_write,
    rate_text,
)
from arrears.insights.vintages import METRICS, vintages


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``vintages`` subcommand to ``arrears insights``."""
    parser = actions.add_parser(
        "vintages",
        help="vintage curves: ever 30+ or 90+ DPD by months on book",
        description=(
            "For each disbursement month and each month on book k (the k-th month end after"
            " the disbursement month's own end): the loans that were at DPD 30+ (ever30) or"
            " 90+ (ever90) on any stored month end up to then."
        ),
    )
    parser.add_argument("--metric", required=True, choices=sorted(METRICS))
    add_creditor_and_json(parser)
    parser.set_defaults(run=run)


def run(options: dict[str, Any], stdout: OutputWrapper) -> int | None:
    """Print the vintages as JSON or as one line per vintage and MOB."""
    report = vintages(options["metric"], creditor_ids=creditor_ids_from(options))
    if options["json"]:
        json_write(stdout, report)
        return None
    stdout.write(f"Vintages, {options['metric']} (bad = ever past the threshold by that MOB)")
    stdout.write(f"  {'vintage':<9}{'mob':>4}{'loans':>9}{'bad':>8}{'rate':>9}{'by amount':>11}")
    for row in report["rows"]:
        stdout.write(
            f"  {row['vintage']:<9}{row['mob']:>4}{row['loans']:>9}{row['bad']:>8}"
            f"{rate_text(row['rate']):>9}{rate_text(row['balance_rate']):>11}"
        )
    if not report["rows"]:
        stdout.write("No month end stored yet.")
    return None
