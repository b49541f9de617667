"""``arrears legal fees --claim YUAN [--json]``: the court fees of a property case."""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper

from arrears.core.bounds import amount_check
from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan, format_yuan_grouped, parse_yuan
from arrears.legal.calculations.fees import court_fee_table, court_fees

# The JSON keys, in the order the text table shows them; the matter page reads the same.
FEE_KEYS = (
    "acceptance_fee",
    "acceptance_fee_halved",
    "payment_order_fee",
    "preservation_fee",
    "enforcement_fee",
)


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``fees`` subcommand to ``arrears legal``."""
    parser = actions.add_parser(
        "fees",
        help="court fees of a property case (诉讼费用交纳办法 arts. 13-16)",
        description=(
            "Court fees for a claim: the acceptance fee (案件受理费, art. 13), its half for"
            " simple procedure, mediation or withdrawal (arts. 15-16), the payment order fee"
            " (1/3, art. 14(3)), and preservation and enforcement fees computed on the same"
            " amount (art. 14(2), 14(1)). Each is rounded to the fen, half up, once."
        ),
    )
    parser.add_argument("--claim", required=True, metavar="YUAN", help="the amount claimed")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def parse_claim(text: str) -> int:
    """The ``--claim`` amount in fen, or ``InvalidInput`` saying what is wrong with it."""
    try:
        fen = parse_yuan(text)
    except ValueError as exc:
        raise InvalidInput(f"--claim: {exc}", field="claim") from exc
    try:
        return amount_check(fen, field="claim")
    except InvalidInput as exc:
        raise InvalidInput(f"--claim: {exc}", field="claim") from exc


def fees_report(claim_fen: int) -> dict[str, str]:
    """The court fees of a claim of ``claim_fen`` as yuan strings: ``claim`` and the five
    fees of ``FEE_KEYS``."""
    fees = court_fees(claim_fen)
    return {
        "claim": format_yuan(fees.claim),
        "acceptance_fee": format_yuan(fees.acceptance_fee),
        "acceptance_fee_halved": format_yuan(fees.acceptance_fee_halved),
        "payment_order_fee": format_yuan(fees.payment_order_fee),
        "preservation_fee": format_yuan(fees.preservation_fee),
        "enforcement_fee": format_yuan(fees.enforcement_fee),
    }


def _fee_articles() -> dict[str, tuple[str, str]]:
    table = court_fee_table()
    return {
        "acceptance_fee": (table.acceptance.name, table.acceptance.article),
        "acceptance_fee_halved": (table.halved.name, table.halved.article),
        "payment_order_fee": (table.payment_order.name, table.payment_order.article),
        "preservation_fee": (table.preservation.name, table.preservation.article),
        "enforcement_fee": (table.enforcement.name, table.enforcement.article),
    }


def run(options: dict[str, Any], stdout: OutputWrapper) -> int | None:
    """Print the fees of ``--claim`` as JSON or as a table naming each fee's article."""
    claim = parse_claim(options["claim"])
    if options["json"]:
        stdout.write(json.dumps(fees_report(claim), ensure_ascii=False, indent=2))
        return None
    fees = court_fees(claim)
    stdout.write(f"Court fees for a claim of {format_yuan_grouped(claim)} yuan")
    stdout.write(f"({court_fee_table().source})")
    for key, (name, article) in _fee_articles().items():
        amount = format_yuan_grouped(getattr(fees, key))
        stdout.write(f"  {key:<22} {amount:>14}  {name} · {article}")
    stdout.write(
        "Preservation and enforcement are on the same amount; the court's own notice decides."
    )
    return None
