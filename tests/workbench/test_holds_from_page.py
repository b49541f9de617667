"""Holds from the case page: each of dispute, complaint, hardship and deceased sets the
compliance hold, is audited, and stops the next contact."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from django.test import Client

from arrears.accounts.models import User
from arrears.cases.models import Activity, CollectionCase
from arrears.compliance.models import Hold
from arrears.core.models import AuditEntry
from arrears.portfolio.models import Creditor, Party
from tests.cases.test_activity_record import record
from tests.factories import loan_row
from tests.workbench.test_queue import SHANGHAI, assign, build_cases, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(creditor: Creditor, tmp_path: Path) -> tuple[CollectionCase, User, Party]:
    cases = build_cases(creditor, tmp_path, [loan_row("H1", borrower_name="陈困")])
    team, me, _ = people(creditor)
    assign(cases["H1"], team, me)
    return cases["H1"], me, Party.objects.get(name="陈困")


@pytest.mark.parametrize("kind", ["dispute", "complaint", "hardship", "deceased"])
def test_each_hold_from_the_page_stops_the_next_call(
    setup: tuple[CollectionCase, User, Party], client: Client, kind: str
) -> None:
    case, me, party = setup
    client.force_login(me)

    response = client.post(
        f"/cases/{case.pk}/holds/", {"kind": kind, "party": party.pk, "reason": "客户来电说明"}
    )

    assert response.status_code in (200, 302)
    hold = Hold.objects.get(kind=kind)
    assert hold.party == party and hold.lifted_at is None
    assert AuditEntry.objects.filter(action="hold.place").exists()
    result = record(case, me, party, at=datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI))
    assert not result.allowed and f"hold: {kind}" in result.reasons  # type: ignore[attr-defined]
    assert Activity.objects.count() == 0


def test_an_unknown_hold_kind_is_a_field_error_and_places_nothing(
    setup: tuple[CollectionCase, User, Party], client: Client
) -> None:
    case, me, party = setup
    client.force_login(me)

    response = client.post(
        f"/cases/{case.pk}/holds/", {"kind": "vacation", "party": party.pk, "reason": "x"}
    )

    assert response.status_code == 400
    assert not Hold.objects.exists()
