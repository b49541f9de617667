"""``arrears agency contract AGENCY --creditor NAME --from D [--to D] [--days N]
(--bucket M2=12 … | --tier 0=15 …) [--reference REF] [--json]``: record a contract."""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import OutputWrapper

from arrears.agencies.cli.common import acting_user, day_option
from arrears.agencies.commission import RateLine
from arrears.agencies.selectors import agency_by_code
from arrears.agencies.services import contract_create
from arrears.core.errors import InvalidInput, NotFound
from arrears.core.money import parse_yuan
from arrears.portfolio.models import Creditor


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``contract`` subcommand to ``arrears agency``."""
    parser = actions.add_parser(
        "contract",
        help="record a contract between a creditor and an agency",
        description="Rates in percent. By bucket: --bucket M2=12 --bucket M3=18 --bucket"
        " M4=25 (a bucket's rate covers it and the buckets above, up to the next line). By"
        " recovered-amount tiers (progressive, amounts in yuan): --tier 0=15 --tier 10000=20.",
    )
    parser.add_argument("agency", metavar="AGENCY", help="agency code")
    parser.add_argument("--creditor", required=True, metavar="NAME")
    parser.add_argument("--from", dest="valid_from", required=True, metavar="DATE")
    parser.add_argument("--to", dest="valid_to", metavar="DATE")
    parser.add_argument("--days", type=int, default=90, help="placement length (default 90)")
    prices = parser.add_mutually_exclusive_group(required=True)
    prices.add_argument("--bucket", action="append", metavar="BUCKET=PERCENT")
    prices.add_argument("--tier", action="append", metavar="YUAN=PERCENT")
    parser.add_argument("--reference", metavar="REF", help="contract number (default: made up)")
    parser.add_argument("--by", metavar="USER", help="username the audit names")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def basis_points(text: str, option: str) -> int:
    """``12.5`` (percent) → 1250 basis points; refused unless a whole number of bp."""
    try:
        value = Decimal(text.strip().rstrip("%")) * 100
    except InvalidOperation:
        raise InvalidInput(f"{option}: {text} is not a percentage", field=option) from None
    if value != value.to_integral_value() or not 0 <= value <= 10_000:
        raise InvalidInput(
            f"{option}: {text} must be 0 to 100 with at most two decimals", field=option
        )
    return int(value)


def rate_lines(options: dict[str, Any]) -> tuple[str, list[RateLine]]:
    """The basis and price lines of ``--bucket`` or ``--tier``."""
    lines: list[RateLine] = []
    option = "--bucket" if options.get("bucket") else "--tier"
    for item in options.get("bucket") or options.get("tier") or []:
        key, sep, percent = item.partition("=")
        if not sep:
            raise InvalidInput(f"{option}: write {item} as KEY=PERCENT", field=option)
        rate = basis_points(percent, option)
        if option == "--bucket":
            lines.append(RateLine(rate_bp=rate, bucket=key.strip().upper()))
        else:
            try:
                lines.append(RateLine(rate_bp=rate, from_amount=parse_yuan(key)))
            except ValueError as exc:
                raise InvalidInput(f"{option}: {exc}", field=option) from exc
    return ("bucket" if option == "--bucket" else "recovered"), lines


def run(options: dict[str, Any], stdout: OutputWrapper) -> None:
    """Record the contract and print its reference."""
    agency = agency_by_code(options["agency"])
    creditor = Creditor.objects.filter(name=options["creditor"]).first()
    if creditor is None:
        raise NotFound(f"--creditor: no creditor {options['creditor']}")
    basis, lines = rate_lines(options)
    valid_from = day_option(options["valid_from"], "--from")
    contract = contract_create(
        agency=agency,
        creditor=creditor,
        reference=options.get("reference") or f"{agency.code}-{creditor.pk}-{valid_from:%Y%m%d}",
        valid_from=valid_from,
        valid_to=day_option(options["valid_to"], "--to") if options.get("valid_to") else None,
        placement_days=options["days"],
        basis=basis,
        rates=lines,
        by=acting_user(options),
    )
    if options["json"]:
        stdout.write(json.dumps({"contract": contract.reference, "basis": basis}))
        return
    stdout.write(f"contract {contract.reference} recorded ({basis}, {len(lines)} rates)")
