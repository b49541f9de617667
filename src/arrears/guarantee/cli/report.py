"""``arrears guarantee report [--creditor NAME] [--as-of D] [--json]``: paid out, recovered
and the recovery rate by pay-out month, per guarantee company."""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper

from arrears.guarantee.cli.payout import _date
from arrears.guarantee.selectors import guarantee_report

DESCRIPTION = (
    "Per guarantee company: pay-outs and amount paid out; recovered (every payment on the"
    " recourse claims, through --as-of when given); recovery rate = recovered / paid out,"
    " by pay-out month (the cohort: claims of pay-outs made that month, recovered to date);"
    " the counter-guarantors' contribution (recoveries recorded with a counter-guarantor as"
    " payer, `arrears guarantee recover --payer`), the debtors' (borrower, co-borrowers) and"
    " the unattributed rest (tape and API payments carry no payer)."
)


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``report`` subcommand to ``arrears guarantee``."""
    parser = actions.add_parser(
        "report",
        help="paid out, recovered and recovery rate by pay-out month",
        description=DESCRIPTION,
    )
    parser.add_argument("--creditor", metavar="NAME", help="one guarantee company")
    parser.add_argument("--as-of", metavar="DATE", help="count recoveries through this date")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def run(options: dict[str, Any], stdout: OutputWrapper) -> None:
    """Print the report as JSON or as a table per guarantee company."""
    as_of = _date(options["as_of"], "--as-of") if options.get("as_of") else None
    reports = [r.as_dict() for r in guarantee_report(creditor=options.get("creditor"), as_of=as_of)]
    if options["json"]:
        stdout.write(
            json.dumps(
                {"as_of": as_of.isoformat() if as_of else None, "guarantors": reports},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not reports:
        stdout.write("no pay-outs recorded")
        return
    for report in reports:
        stdout.write(
            f"{report['guarantor']}: {report['payouts']} pay-outs, paid out"
            f" {report['paid_out']}, recovered {report['recovered']}"
            f" (rate {report['recovery_rate']}); counter-guarantors"
            f" {report['counter_guarantors']}, debtors {report['debtors']}, unattributed"
            f" {report['unattributed']}"
        )
        stdout.write(
            f"  {'month':<8} {'payouts':>7} {'paid out':>14} {'recovered':>14} {'rate':>7}"
        )
        for cohort in report["cohorts"]:
            stdout.write(
                f"  {cohort['month']:<8} {cohort['payouts']:>7} {cohort['paid_out']:>14}"
                f" {cohort['recovered']:>14} {cohort['recovery_rate'] or '-':>7}"
            )
