"""The agency tests' world: four overdue loans with open M1 cases worked by an in-house
team, an agency with a bucket-priced contract and one agency collector."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from arrears.accounts.models import Agency, Team, User
from arrears.agencies.commission import RateLine
from arrears.agencies.models import AgencyContract
from arrears.agencies.services import contract_create
from arrears.cases.models import CollectionCase
from arrears.portfolio.models import Creditor
from tests.factories import loan_row
from tests.workbench.test_queue import ON, PASSWORD, assign, build_cases

PLACED = ON  # 2026-03-10


@dataclass
class World:
    creditor: Creditor
    cases: dict[str, CollectionCase]
    team: Team
    collector: User
    lead: User
    agency: Agency
    other_agency: Agency
    agent: User
    contract: AgencyContract


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path) -> World:
    rows = [loan_row(loan_id, borrower_name=name) for loan_id, name in (
        ("A1", "张一"), ("A2", "王二"), ("A3", "李三"), ("A4", "赵四"))]  # fmt: skip
    cases = build_cases(creditor, tmp_path, rows)
    team = Team.objects.create(name="M1 team", creditor=creditor, buckets="M1")
    collector = User.objects.create_user(
        "collector1", password=PASSWORD, role="collector", team=team
    )
    lead = User.objects.create_user("lead1", password=PASSWORD, role="team_lead", team=team)
    for case in cases.values():
        assign(case, team, collector)
    agency = Agency.objects.create(name="信达委外催收有限公司", code="xinda")
    other = Agency.objects.create(name="远方催收", code="yuanfang")
    agent = User.objects.create_user(
        "agency1", password=PASSWORD, role="agency_collector", agency=agency
    )
    contract = contract_create(
        agency=agency,
        creditor=creditor,
        reference="XD-2026-01",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
        placement_days=30,
        basis="bucket",
        rates=[
            RateLine(rate_bp=1000, bucket="M1"),
            RateLine(rate_bp=1200, bucket="M2"),
            RateLine(rate_bp=1800, bucket="M3"),
            RateLine(rate_bp=2500, bucket="M4"),
        ],
    )
    return World(creditor, cases, team, collector, lead, agency, other, agent, contract)
