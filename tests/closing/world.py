"""A small world for the closing tests: loans on tapes, the cycle run day by day, and the
people who propose and decide."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from arrears.accounts.models import Team, User
from arrears.cases.models import CollectionCase
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, payment_row, write_csv


def cycle(*args: str) -> dict[str, object]:
    """Run the cycle command (``--date`` …) and return its JSON."""
    out = StringIO()
    call_command("cycle", *args, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@dataclass
class Closing:
    """A creditor, its loans by loan id, and a team lead, two managers and a legal officer."""

    creditor: Creditor
    folder: Path
    lead: User
    manager: User
    manager2: User
    legal: User
    collector: User
    paid: list[str] = field(default_factory=list)

    def loan(self, loan_id: str) -> Loan:
        return Loan.objects.get(creditor=self.creditor, loan_id=loan_id)

    def case(self, loan_id: str) -> CollectionCase:
        return CollectionCase.objects.select_related("loan", "creditor").get(
            loan__loan_id=loan_id, loan__creditor=self.creditor
        )

    def pay(self, loan_id: str, paid_on: str, amount: str) -> None:
        payment_id = f"P{len(self.paid) + 1}-{loan_id}"
        self.paid.append(payment_id)
        path = write_csv(
            self.folder / f"{payment_id}.csv", [payment_row(payment_id, loan_id, paid_on, amount)]
        )
        tape_ingest(creditor=self.creditor, kind="payments", path=path)


def closing_world(creditor: Creditor, folder: Path, loans: dict[str, dict[str, str]]) -> Closing:
    """Load ``loans`` (loan id → overrides of the factory row) and make the people."""
    rows = [loan_row(loan_id, **overrides) for loan_id, overrides in loans.items()]
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(folder / "loans.csv", rows))
    team = Team.objects.create(name="M1 组", creditor=creditor, buckets="M1,M2,M3")
    collector = User.objects.create_user("collector1", role="collector", team=team)
    lead = User.objects.create_user("lead", role="team_lead", team=team)
    people = []
    for name, role in (("manager", "manager"), ("manager2", "manager"), ("legal", "legal_officer")):
        user = User.objects.create_user(name, role=role)
        user.creditors.add(creditor)
        people.append(user)
    return Closing(creditor, folder, lead, people[0], people[1], people[2], collector)
