"""``arrears guarantee payout LOAN --on D --amount YUAN [--by CREDITOR] [--penalty-rate R]
[--evidence TEXT | --file PATH] [--creditor NAME] [--json]``: the guarantor paid the lender."""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import OutputWrapper

from arrears.core.bounds import date_problem
from arrears.core.dates import parse_date
from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan, parse_yuan
from arrears.guarantee.services import EvidenceFile, payout_record
from arrears.portfolio.management.cli import add_creditor_argument, resolve_loan

DESCRIPTION = (
    "Record that the guarantee company paid the lender D (代偿): the amount is posted on the"
    " lender's loan as a payment (allocated like any payment) and the loan becomes"
    " 'compensated'; a recourse claim (追偿) is created as a loan of the guarantee company"
    " (loan id LOAN-DC): principal = the amount, one installment due on D, no interest, the"
    " agreed recourse penalty rate (--penalty-rate, else the guarantee company's 'recourse'"
    " product's default annual rate, else the loan's penalty rate), parties = the loan's"
    " borrower, co-borrowers and counter-guarantors. The amount must be more than 0 and at"
    " most what the loan owes on D: everything due and unpaid (penalty through D-1) plus"
    " every later installment in full."
)


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``payout`` subcommand to ``arrears guarantee``."""
    parser = actions.add_parser(
        "payout",
        help="record a guarantor's pay-out and create the recourse claim",
        description=DESCRIPTION,
    )
    parser.add_argument("loan_id", metavar="LOAN", help="the lender's loan id")
    parser.add_argument("--on", required=True, metavar="DATE", help="the day it paid")
    parser.add_argument("--amount", required=True, metavar="YUAN", help="the amount paid")
    parser.add_argument(
        "--by",
        metavar="CREDITOR",
        help="the guarantee company (created on first use; default: the loan's guarantor"
        " party of kind company)",
    )
    parser.add_argument(
        "--penalty-rate",
        metavar="PERCENT",
        help="the guarantee contract's recourse penalty rate a year, in percent (24 or 24%%)",
    )
    evidence = parser.add_mutually_exclusive_group()
    evidence.add_argument("--evidence", metavar="TEXT", default="", help="what proves it")
    evidence.add_argument("--file", metavar="PATH", help="a file that proves it (kept, hashed)")
    add_creditor_argument(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def _date(text: str, option: str) -> Any:
    try:
        day = parse_date(text)
    except ValueError as exc:
        raise InvalidInput(f"{option}: {exc}", field=option) from exc
    problem = date_problem(day)
    if problem:
        raise InvalidInput(f"{option}: {problem}", field=option)
    return day


def _amount(text: str) -> int:
    try:
        return parse_yuan(text)
    except ValueError as exc:
        raise InvalidInput(f"--amount: {exc}", field="amount") from exc


def parse_percent(text: str | None) -> Decimal | None:
    """A yearly rate in percent ("24" or "24%") as a fraction (0.24); None when not given."""
    if text is None:
        return None
    raw = text.strip().replace("％", "%").rstrip("%").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput(
            f"--penalty-rate: '{text}' is not a rate in percent (write 24 or 24%)",
            field="penalty_rate",
        ) from None
    if not value.is_finite() or value < 0 or value > 100:
        raise InvalidInput(
            "--penalty-rate: must be between 0 and 100 percent", field="penalty_rate"
        )
    return value / 100


def _evidence_file(name: str | None) -> EvidenceFile | None:
    if not name:
        return None
    path = Path(name)
    if not path.is_file():
        raise InvalidInput(f"--file: {name} is not a file", field="file")
    return EvidenceFile(name=path.name, data=path.read_bytes())


def run(options: dict[str, Any], stdout: OutputWrapper) -> None:
    """Record the pay-out and print ``{"loan_id", "claim_id", "amount", "on"}``."""
    on = _date(options["on"], "--on")
    amount = _amount(options["amount"])
    penalty_rate = parse_percent(options.get("penalty_rate"))
    loan = resolve_loan(options, stdout=stdout)
    payout = payout_record(
        loan=loan,
        amount=amount,
        on=on,
        by_name=options.get("by"),
        penalty_rate=penalty_rate,
        evidence=options.get("evidence") or "",
        evidence_file=_evidence_file(options.get("file")),
    )
    report = {
        "loan_id": loan.loan_id,
        "claim_id": payout.claim.loan_id,
        "amount": format_yuan(payout.amount),
        "on": payout.paid_on.isoformat(),
    }
    if options["json"]:
        stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        return
    stdout.write(
        f"{loan.loan_id}: paid out {report['amount']} on {report['on']} by"
        f" {payout.guarantor.name}; recourse claim {report['claim_id']}"
        f" (penalty rate {(payout.claim.penalty_rate * 100).normalize():f}%)"
    )
