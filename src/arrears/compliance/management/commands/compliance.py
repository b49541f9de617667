"""``arrears compliance check``: would the gate allow this contact, and if not, why and when?

    arrears compliance check --loan LOAN_ID --role borrower --channel call \\
        --at 2026-07-01T21:30+08:00 --json
    → {"allowed": false, "reasons": [...], "next_allowed_at": "2026-07-02T08:00:00+08:00"}

A refusal is stored like any other (the gate keeps every refusal).
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from arrears.compliance.choices import Channel
from arrears.compliance.services import contact_check
from arrears.core.errors import ArrearsError
from arrears.portfolio.choices import PartyRole
from arrears.portfolio.management.cli import add_creditor_argument, resolve_loan
from arrears.portfolio.models import LoanParty


class Command(BaseCommand):
    help = "Ask the compliance gate whether a contact would be allowed."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        check = actions.add_parser("check", help="check one proposed contact")
        check.add_argument("--loan", dest="loan_id", required=True, metavar="LOAN_ID")
        check.add_argument("--role", required=True, choices=PartyRole.values)
        check.add_argument("--channel", required=True, choices=Channel.values)
        check.add_argument("--at", required=True, metavar="ISO_DATETIME", help="with its zone")
        check.add_argument("--purpose", default="")
        check.add_argument("--number", default="", help="the phone number to call")
        check.add_argument("--json", action="store_true", help="print JSON")
        add_creditor_argument(check)

    def handle(self, *args: Any, **options: Any) -> None:
        loan = resolve_loan(options, stdout=self.stdout)
        try:
            at = datetime.fromisoformat(options["at"])
        except ValueError as exc:
            raise CommandError(f"--at: {exc}", returncode=2) from exc
        link = (
            LoanParty.objects.filter(loan=loan, role=options["role"])
            .select_related("party")
            .order_by("pk")
            .first()
        )
        if link is None:
            raise CommandError(f"loan {loan.loan_id} has no {options['role']}", returncode=2)
        try:
            decision = contact_check(
                loan=loan,
                party=link.party,
                channel=options["channel"],
                at=at,
                purpose=options["purpose"],
                number=options["number"],
                asked_by="arrears compliance check",
            )
        except ArrearsError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        answer = {
            "allowed": decision.allowed,
            "reasons": decision.reasons,
            "next_allowed_at": (
                decision.next_allowed_at.isoformat() if decision.next_allowed_at else None
            ),
        }
        if options["json"]:
            self.stdout.write(json.dumps(answer, ensure_ascii=False))
            return
        if decision.allowed:
            self.stdout.write("allowed")
            return
        self.stdout.write("blocked: " + "; ".join(decision.reasons))
        if answer["next_allowed_at"]:
            self.stdout.write(f"next allowed at {answer['next_allowed_at']}")
