"""``arrears guarantee recover CLAIM --on D --amount YUAN --payment-id ID [--payer PARTY]
[--creditor NAME] [--json]``: money recovered on a recourse claim, with who paid it."""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper

from arrears.core.money import format_yuan
from arrears.guarantee.cli.payout import _amount, _date
from arrears.guarantee.services import recovery_record
from arrears.portfolio.management.cli import add_creditor_argument, resolve_loan

DESCRIPTION = (
    "Post a payment on a recourse claim (as the payments tape or API would) and, with"
    " --payer, record which of the claim's parties paid it (its id as `arrears loan CLAIM"
    " --json` lists the parties): the report counts payments of counter-guarantors as their"
    " contribution. Payments that arrive by tape or API have no payer and stay unattributed."
)


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``recover`` subcommand to ``arrears guarantee``."""
    parser = actions.add_parser(
        "recover",
        help="money recovered on a recourse claim, with its payer",
        description=DESCRIPTION,
    )
    parser.add_argument("loan_id", metavar="CLAIM", help="the claim's loan id (LOAN-DC)")
    parser.add_argument("--on", required=True, metavar="DATE", help="the day it was paid")
    parser.add_argument("--amount", required=True, metavar="YUAN", help="the amount")
    parser.add_argument("--payment-id", required=True, metavar="ID", help="the payment's id")
    parser.add_argument("--payer", type=int, metavar="PARTY", help="the id of the party who paid")
    parser.add_argument("--channel", default="", help="how it was paid")
    add_creditor_argument(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def run(options: dict[str, Any], stdout: OutputWrapper) -> None:
    """Post the recovery and say what was recorded."""
    on = _date(options["on"], "--on")
    amount = _amount(options["amount"])
    claim = resolve_loan(options, stdout=stdout)
    payer = recovery_record(
        claim=claim,
        amount=amount,
        on=on,
        payment_id=options["payment_id"],
        payer_id=options.get("payer"),
        channel=options.get("channel") or "",
    )
    report = {
        "claim_id": claim.loan_id,
        "payment_id": options["payment_id"],
        "amount": format_yuan(amount),
        "on": on.isoformat(),
        "payer": options.get("payer"),
        "role": payer.role if payer is not None else None,
    }
    if options["json"]:
        stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        return
    who = f" from party {report['payer']} ({report['role']})" if payer is not None else ""
    stdout.write(f"{claim.loan_id}: recovered {report['amount']} on {report['on']}{who}")
