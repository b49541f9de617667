"""Field tests' world: two overdue loans on business day 2026-03-10 with their borrowers'
phones and addresses, a field agent and a colleague in team M1, and a PNG to attach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from arrears.accounts.models import Team, User
from arrears.cases.models import CollectionCase
from arrears.portfolio.models import ContactPoint, Creditor, Party
from tests.factories import loan_row
from tests.field.images import png
from tests.workbench.test_queue import ON, SHANGHAI, build_cases

__all__ = ["AT", "ON", "SHANGHAI", "Field", "png"]

AT = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
PASSWORD = "a-long-unique-pass"


@dataclass
class Field:
    """Handles of the world: cases by loan id, the borrowers, the people."""

    cases: dict[str, CollectionCase]
    borrower: Party
    other: Party
    agent: User
    colleague: User
    collector: User
    team: Team


@pytest.fixture
def field(creditor: Creditor, tmp_path: Path) -> Field:
    rows = [
        loan_row("F1", borrower_name="张三", borrower_address="北京市海淀区中关村大街27号"),
        loan_row("F2", borrower_name="李四", borrower_address="上海市浦东新区世纪大道100号"),
    ]
    cases = build_cases(creditor, tmp_path, rows)
    team = Team.objects.create(name="M1 team", creditor=creditor, buckets="M1")
    agent = User.objects.create_user("agent", password=PASSWORD, role="field_agent", team=team)
    colleague = User.objects.create_user(
        "partner", password=PASSWORD, role="field_agent", team=team
    )
    collector = User.objects.create_user("caller", password=PASSWORD, role="collector", team=team)
    for case in cases.values():
        case.team, case.assignee = team, agent
        case.save(update_fields=["team", "assignee"])
    return Field(
        cases=cases,
        borrower=Party.objects.get(name="张三"),
        other=Party.objects.get(name="李四"),
        agent=agent,
        colleague=colleague,
        collector=collector,
        team=team,
    )


def address_of(party: Party) -> ContactPoint:
    return ContactPoint.objects.get(party=party, kind="address")


def phone_of(party: Party) -> ContactPoint:
    return ContactPoint.objects.get(party=party, kind="phone")
