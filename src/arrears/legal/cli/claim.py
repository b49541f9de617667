"""``arrears legal claim LOAN --as-of D [--accelerate] [--json] [--creditor NAME]``: what a
creditor claims for a loan on a date, itemised."""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import CommandError, OutputWrapper

from arrears.core.bounds import date_problem
from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan_grouped, parse_yuan
from arrears.legal.claims import claim_report, loan_claim
from arrears.portfolio.management.cli import (
    add_creditor_argument,
    parse_business_date,
    resolve_loan,
)

DESCRIPTION = (
    "The claim on a loan on date D, from the ledger's own figures. principal: all principal"
    " outstanding on D, fallen due or not (lines split it per installment). interest, fees:"
    " contractual interest and fees of installments due on or before D and unpaid. penalty:"
    " penalty outstanding on D (accrued - paid - waived). costs: recoverable legal costs"
    " incurred on or before D. total = principal + interest + fees + penalty + costs - credit."
    " --accelerate (加速到期) states the principal not yet due as due on D; the amounts do not"
    " change. cap: the ceiling a court supports on the charges for the creditor's lender type."
)


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``claim`` subcommand to ``arrears legal``."""
    parser = actions.add_parser(
        "claim", help="the claim on a loan on a date, itemised", description=DESCRIPTION
    )
    parser.add_argument("loan_id", metavar="LOAN", help="the creditor's loan id")
    parser.add_argument("--as-of", required=True, metavar="DATE", help="the claim date")
    parser.add_argument(
        "--accelerate",
        action="store_true",
        help=(
            "declare the principal not yet due as due on the claim date (加速到期), as the"
            " contract allows; the principal claimed is all outstanding either way"
        ),
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_creditor_argument(parser)
    parser.set_defaults(run=run)


def run(options: dict[str, Any], stdout: OutputWrapper) -> int | None:
    """Print the claim as JSON or as an itemised table."""
    as_of = parse_business_date(options["as_of"], "--as-of")
    problem = date_problem(as_of)
    if problem:
        raise CommandError(f"--as-of: {problem}", returncode=2)
    loan = resolve_loan(options, stdout=stdout)
    try:
        claim = loan_claim(loan, as_of=as_of, accelerate=options["accelerate"])
    except InvalidInput as exc:
        raise CommandError(str(exc), returncode=2) from exc
    report = claim_report(claim)
    if options["json"]:
        stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        return None
    _write_text(report, stdout)
    return None


def _money(yuan: str | None) -> str:
    # The report's yuan strings, grouped for reading (12,345.67).
    return "" if yuan is None else format_yuan_grouped(parse_yuan(yuan))


def _write_text(report: dict[str, Any], stdout: OutputWrapper) -> None:
    accelerated = ""
    if report["accelerated"]:
        accelerated = " (accelerated: principal not yet due stated as due on this date)"
    stdout.write(f"Claim on loan {report['loan_id']} as of {report['as_of']}{accelerated}")
    for key in ("principal", "interest", "fees", "penalty", "costs", "credit", "total"):
        stdout.write(f"  {key:<10} {_money(report[key]):>16}")
    for line in report["lines"]:
        period = " – ".join(part for part in (line["period_from"], line["period_to"]) if part)
        detail = ""
        if line["days"] is not None:
            detail = f" {_money(line['base'])} × {line['rate']} × {line['days']}d"
        stdout.write(
            f"    {line['component']:<9} {_money(line['amount']):>14}  {line['label']}"
            f"  {period}{detail}"
        )
    cap = report["cap"]
    stdout.write(
        f"Cap ({cap['lender_type']}, {cap['annual_rate']} a year): charges claimed"
        f" {_money(cap['claimed_charges'])}, supportable {_money(cap['supportable_charges'])},"
        f" reduction {_money(cap['reduction'])}; total supportable"
        f" {_money(cap['total_supportable'])}"
    )
    stdout.write(f"  {cap['rule']}")
