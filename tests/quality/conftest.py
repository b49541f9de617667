"""The quality tests' world: a team of two collectors and a lead, with call contacts on
their cases in May 2026, and a collector of another team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from arrears.accounts.models import User
from arrears.cases.models import Activity, CollectionCase
from arrears.portfolio.models import Creditor
from tests.factories import loan_row
from tests.workbench.test_queue import SHANGHAI, assign, build_cases, people


@dataclass
class World:
    """Cases MINE (collector1's) and THEIRS (another team's), the people, and a helper
    that records a contact as the workbench would."""

    mine: CollectionCase
    theirs: CollectionCase
    me: User
    other: User
    lead: User
    outsider: User

    def call(self, case: CollectionCase, by: User, at: datetime, channel: str = "call") -> Activity:
        party_id = case.loan.loan_parties.get(role="borrower").party_id
        return Activity.objects.create(
            case=case,
            party_id=party_id,
            channel=channel,
            party_reached="borrower",
            outcome="right_party",
            by=by,
            at=at,
            sha256="0" * 64,
        )


def may(day: int, hour: int = 10) -> datetime:
    """A moment on a day of May 2026 in Shanghai."""
    return datetime(2026, 5, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path) -> World:
    cases = build_cases(
        creditor,
        tmp_path,
        [loan_row("MINE", borrower_name="张三"), loan_row("THEIRS", borrower_name="李四")],
    )
    team, me, other = people(creditor)
    assign(cases["MINE"], team, me)
    lead = User.objects.create_user("lead", role="team_lead", team=team)
    outsider = User.objects.create_user("stranger", role="collector")
    return World(cases["MINE"], cases["THEIRS"], me, other, lead, outsider)
