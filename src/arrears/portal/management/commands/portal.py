"""``arrears portal``: the borrower portal from the command line.

arrears portal link LOAN [--party ROLE] [--creditor NAME]

``link`` prints a one-time link to the party's portal of the loan (the borrower's unless
``--party`` names another liable role): the same kind of link ``{{ self_service_link }}``
puts into messages, under ``ARREARS_SELF_SERVICE_URL`` (else ``http://127.0.0.1:8000``),
valid ``ARREARS_PORTAL_LINK_DAYS`` days. Each link printed is audited (``portal.link_make``:
the loan, the party, the expiry; never the link).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from arrears.compliance.rules import LIABLE_ROLES
from arrears.core.audit import audit_record
from arrears.core.commands import DataCommand
from arrears.core.errors import ArrearsError
from arrears.outreach.self_service import link_sign, link_token, link_url
from arrears.portal.services import case_of
from arrears.portfolio.models import LoanParty
from arrears.portfolio.selectors import creditor_choose, loan_get


class Command(DataCommand):
    help = "The borrower portal: print a one-time link to a party's portal of a loan."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        link = actions.add_parser("link", help="print a one-time link to the portal")
        link.add_argument("loan", help="the creditor's loan contract number")
        link.add_argument(
            "--party",
            default="borrower",
            choices=sorted(LIABLE_ROLES),
            help="whose portal (a liable role on the loan; default borrower)",
        )
        link.add_argument("--creditor", default=None, help="the creditor, when ids repeat")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._link(options)
        except ArrearsError as error:
            raise CommandError(str(error), returncode=2) from error

    def _link(self, options: dict[str, Any]) -> None:
        creditor = creditor_choose(options["creditor"]) if options["creditor"] else None
        loan = loan_get(loan_id=options["loan"], creditor=creditor)
        party_id = (
            LoanParty.objects.filter(loan=loan, role=options["party"])
            .order_by("pk")
            .values_list("party_id", flat=True)
            .first()
        )
        if party_id is None:
            raise CommandError(f"loan {loan.loan_id} has no {options['party']}", returncode=2)
        if case_of(loan.pk) is None:
            raise CommandError(
                f"loan {loan.loan_id} has no collection case: nothing to show on the portal yet",
                returncode=2,
            )
        claims = link_token(loan_id=loan.pk, party_id=party_id)
        audit_record(
            actor=None,
            action="portal.link_make",
            subject_type="loan",
            subject_id=loan.pk,
            data={"party": party_id, "expires_at": claims.expires_at.isoformat()},
        )
        self.stdout.write(link_url(link_sign(claims)))
