"""``arrears agency statement AGENCY --month YYYY-MM [--json]``: the monthly commission
statement (佣金结算单) of one agency."""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper

from arrears.agencies.cli.common import acting_user
from arrears.agencies.selectors import agency_by_code, agency_statement
from arrears.agencies.services import statement_issue

DESCRIPTION = (
    "Every case placed with the agency whose placement overlaps the month: what its loan"
    " paid during the placement (payments dated from the placement day up to, not"
    " including, the recall or end day) within the month, the contract's rate and the"
    " commission, then the totals. Commission: the rate (by the bucket at placement, or"
    " progressive recovered-amount tiers) on the placement's cumulative recovery, rounded"
    " half up to the fen, less the same at the start of the month. --json prints amounts"
    " as integer fen."
)


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``statement`` subcommand to ``arrears agency``."""
    parser = actions.add_parser(
        "statement", help="an agency's monthly commission statement", description=DESCRIPTION
    )
    parser.add_argument("agency", metavar="AGENCY", help="agency code")
    parser.add_argument("--month", required=True, metavar="YYYY-MM")
    parser.add_argument(
        "--issue",
        action="store_true",
        help="issue the statement: freeze its lines and totals with their SHA-256 (once a month)",
    )
    parser.add_argument("--by", metavar="USER", help="username the audit names (with --issue)")
    parser.add_argument("--json", action="store_true", help="print JSON (amounts in fen)")
    parser.set_defaults(run=run)


def run(options: dict[str, Any], stdout: OutputWrapper) -> None:
    """Print the statement as JSON or as a table."""
    agency = agency_by_code(options["agency"])
    statement = agency_statement(agency=agency, month=options["month"])
    if options.get("issue"):
        issued = statement_issue(agency=agency, month=options["month"], by=acting_user(options))
        if options["json"]:
            stdout.write(json.dumps({**issued.content, "issued": True, "sha256": issued.sha256}))
        else:
            stdout.write(f"issued {agency.code} {issued.month}: SHA-256 {issued.sha256}")
        return
    if options["json"]:
        stdout.write(json.dumps(statement.as_dict(), ensure_ascii=False, indent=2))
        return
    stdout.write(f"{agency.name} ({agency.code}) commission statement {statement.month}")
    stdout.write(
        f"  {'case':>6} {'loan':<16} {'placed':<10} {'until':<10} {'bucket':<6}"
        f" {'rate':>7} {'recovered':>14} {'commission':>12}"
    )
    for line in statement.lines:
        stdout.write(
            f"  {line.case_id:>6} {line.loan_id:<16} {line.placed_on.isoformat():<10}"
            f" {line.until.isoformat():<10} {line.bucket:<6} {line.rate:>7}"
            f" {line.recovered_yuan:>14} {line.commission_yuan:>12}"
        )
    stdout.write(
        f"  total: {len(statement.lines)} placements, recovered {statement.recovered_yuan},"
        f" commission {statement.commission_yuan}"
    )
