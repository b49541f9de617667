"""``arrears limitation``: record what restarts a loan's limitation period, and list it.

arrears limitation record LOAN_ID --kind demand --on 2026-10-09 --evidence "EMS 1234"
arrears limitation list LOAN_ID [--json]
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from arrears.core.errors import ArrearsError
from arrears.portfolio.choices import LimitationEventKind
from arrears.portfolio.loan_report import limitation_report
from arrears.portfolio.management.cli import (
    add_creditor_argument,
    parse_business_date,
    resolve_loan,
)
from arrears.portfolio.services import limitation_event_record


class Command(BaseCommand):
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
        add_creditor_argument(record)
        listing = actions.add_parser("list", help="list a loan's events and its expiry date")
        listing.add_argument("loan_id")
        listing.add_argument("--json", action="store_true", help="print JSON")
        add_creditor_argument(listing)

    def handle(self, *args: Any, **options: Any) -> None:
        loan = resolve_loan(options, stdout=self.stdout)
        try:
            if options["action"] == "record":
                event = limitation_event_record(
                    loan=loan,
                    kind=options["kind"],
                    occurred_on=parse_business_date(options["on"], "--on"),
                    evidence=options["evidence"],
                    note=options["note"],
                )
                self.stdout.write(
                    f"Recorded {event.get_kind_display()} on {event.occurred_on} for"
                    f" {loan.loan_id}; the next cycle moves its limitation date."
                )
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
