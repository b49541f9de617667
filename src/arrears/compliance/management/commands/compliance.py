"""``arrears compliance check``: would the gate allow this contact, and if not, why and when?

    arrears compliance check --loan LOAN_ID --role borrower --channel call \\
        --at 2026-07-01T21:30+08:00 --json
    → {"allowed": false, "reasons": [...], "next_allowed_at": "2026-07-02T08:00:00+08:00",
       "reason_codes": ["quiet_hours"], "refusals": [{"code": ..., "message": ..., "params": ...}]}

The command speaks English: ``reasons`` and each refusal's ``message`` are the English
sentences; ``reason_codes`` and the refusals' ``code`` and ``params`` are language-neutral.

A refusal is stored like any other (the gate keeps every refusal).

    arrears compliance audit --from 2026-07-01 --to 2026-07-31 [--json]

re-checks the contacts recorded in the period and lists every breach.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.core.management.base import CommandError

from arrears.compliance.audit import audit
from arrears.compliance.choices import Channel
from arrears.compliance.services import contact_check
from arrears.core.commands import DataCommand
from arrears.core.errors import ArrearsError
from arrears.portfolio.choices import PartyRole
from arrears.portfolio.management.cli import (
    add_creditor_argument,
    parse_business_date,
    resolve_loan,
)
from arrears.portfolio.models import LoanParty


class Command(DataCommand):
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
        audit = actions.add_parser("audit", help="re-check the contacts recorded in a period")
        audit.add_argument("--from", dest="first", required=True, metavar="DATE")
        audit.add_argument("--to", dest="last", required=True, metavar="DATE")
        audit.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "audit":
            self._audit(options)
            return
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
            # Added with the reason codes (the keys above are kept as they were): each
            # reason's language-neutral code and parameters, and its English message.
            "reason_codes": decision.reason_codes,
            "refusals": [
                {"code": r.code, "message": r.text, "params": dict(r.params)}
                for r in decision.refusals
            ],
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

    def _audit(self, options: dict[str, Any]) -> None:
        first = parse_business_date(options["first"], "--from")
        last = parse_business_date(options["last"], "--to")
        if last < first:
            raise CommandError(f"--to {last} is before --from {first}", returncode=2)
        breaches = audit(first, last)
        if options["json"]:
            self.stdout.write(json.dumps({"breaches": breaches}, ensure_ascii=False))
            return
        self.stdout.write(f"{len(breaches)} breaches from {first} to {last}")
        for breach in breaches:
            self.stdout.write(
                f"  {breach['at']} {breach['loan_id']} {breach['role']} {breach['channel']}"
                f" by {breach['by'] or '-'}: {'; '.join(breach['reasons'])}"  # type: ignore[arg-type]
            )
