"""``arrears agency place CASE AGENCY [--on D] [--by USER] [--json]``: place a case."""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper

from arrears.agencies.cli.common import acting_user, case_of, day_option
from arrears.agencies.selectors import agency_by_code
from arrears.agencies.services import placement_create
from arrears.core.money import format_yuan


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``place`` subcommand to ``arrears agency``."""
    parser = actions.add_parser(
        "place",
        help="place an open case with an agency",
        description="Place the open case CASE (a case number or a loan id) with the agency"
        " whose code is AGENCY, under its contract with the case's creditor in force on --on"
        " (default today), for the contract's placement length. The case leaves the in-house"
        " queues until it is recalled or the term ends.",
    )
    parser.add_argument("case", metavar="CASE", help="case number or loan id")
    parser.add_argument("agency", metavar="AGENCY", help="agency code")
    parser.add_argument("--on", metavar="DATE", help="placement day (default: today)")
    parser.add_argument("--by", metavar="USER", help="username the audit names")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def run(options: dict[str, Any], stdout: OutputWrapper) -> None:
    """Place the case and say with whom, until when and with what balance."""
    agency = agency_by_code(options["agency"])
    case = case_of(options["case"])
    placement = placement_create(
        case=case,
        agency=agency,
        on=day_option(options.get("on"), "--on"),
        by=acting_user(options),
    )
    shown = {
        "placement": placement.pk,
        "case": case.pk,
        "loan_id": case.loan.loan_id,
        "agency": agency.code,
        "contract": placement.contract.reference,
        "placed_on": placement.placed_on.isoformat(),
        "ends_on": placement.ends_on.isoformat(),
        "bucket": placement.bucket,
        "overdue": placement.overdue_at_placement,
        "outstanding": placement.outstanding_at_placement,
    }
    if options["json"]:
        stdout.write(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    stdout.write(
        f"case {case.pk} (loan {case.loan.loan_id}) placed with {agency.code} from"
        f" {shown['placed_on']} to {shown['ends_on']}: overdue"
        f" {format_yuan(placement.overdue_at_placement)}, outstanding"
        f" {format_yuan(placement.outstanding_at_placement)}, bucket {placement.bucket}"
    )
