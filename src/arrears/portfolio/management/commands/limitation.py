"""``arrears limitation``: record what restarts a loan's limitation period, and list it.

arrears limitation record LOAN_ID --kind demand --on 2026-10-09 --evidence "EMS 1234"
    [--party PARTY_ID | --guarantors] [--accelerated]
arrears limitation list LOAN_ID [--json]

With ``--party`` (or ``--guarantors``: each of the loan's guarantors and counter-guarantors)
the act is against a guarantor and preserves the guarantee (保证期间, 民法典 art. 693).
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from arrears.core.commands import DataCommand
from arrears.core.errors import ArrearsError
from arrears.portfolio.choices import LimitationEventKind
from arrears.portfolio.loan_report import limitation_report
from arrears.portfolio.management.cli import (
    add_creditor_argument,
    parse_business_date,
    resolve_loan,
)
from arrears.portfolio.models import Loan
from arrears.portfolio.services.limitation import (
    limitation_event_record,
    limitation_events_record_guarantors,
)


class Command(DataCommand):
    help = (
        "Record a demand, acknowledgment or legal action that restarts a loan's limitation"
        " period (诉讼时效中断), or list those recorded."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        record = actions.add_parser("record", help="record an event")
        record.add_argument("loan_id")
        record.add_argument("--kind", required=True, choices=LimitationEventKind.values)
        record.add_argument("--on", required=True, metavar="DATE", help="the day it happened")
        record.add_argument(
            "--evidence", default="", help="where the proof is kept (required by the service)"
        )
        record.add_argument("--note", default="")
        whom = record.add_mutually_exclusive_group()
        whom.add_argument(
            "--party",
            type=int,
            metavar="PARTY_ID",
            help="a guarantor or counter-guarantor the act was against (its party_id in"
            " `arrears loan LOAN --json` guarantees); default: the debtor",
        )
        whom.add_argument(
            "--guarantors",
            action="store_true",
            help="record the act against each guarantor and counter-guarantor of the loan",
        )
        record.add_argument(
            "--accelerated",
            action="store_true",
            help="this act declared the whole loan due (宣布提前到期): guarantee periods"
            " count from its day",
        )
        add_creditor_argument(record)
        listing = actions.add_parser("list", help="list a loan's events and its expiry date")
        listing.add_argument("loan_id")
        listing.add_argument("--json", action="store_true", help="print JSON")
        add_creditor_argument(listing)

    def handle(self, *args: Any, **options: Any) -> None:
        loan = resolve_loan(options, stdout=self.stdout)
        try:
            if options["action"] == "record":
                self._record(loan, options)
                return
        except ArrearsError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        report = limitation_report(loan)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"Loan {loan.loan_id} · limitation expires {report['limitation_expires_on'] or '-'}"
            " (as the last cycle stored it)"
        )
        for item in report["events"]:
            self.stdout.write(
                f"  {item['occurred_on']} {item['kind']:<15} {item['evidence']} {item['note']}"
            )

    def _record(self, loan: Loan, options: dict[str, Any]) -> None:
        on = parse_business_date(options["on"], "--on")
        common = {
            "loan": loan,
            "kind": options["kind"],
            "occurred_on": on,
            "evidence": options["evidence"],
            "note": options["note"],
        }
        if options["guarantors"]:
            events = limitation_events_record_guarantors(**common)
        else:
            events = [
                limitation_event_record(
                    **common, party=options["party"], accelerated=options["accelerated"]
                )
            ]
        event = events[0]
        against = (
            f" against {len(events)} guarantor(s)"
            if options["guarantors"]
            else (f" against party {event.party_id}" if event.party_id else "")
        )
        self.stdout.write(
            f"Recorded {event.get_kind_display()} on {event.occurred_on} for"
            f" {loan.loan_id}{against}; the next cycle moves its limitation date."
        )
