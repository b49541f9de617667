"""The portal's test world: one overdue loan with a borrower and a guarantor, a team and its
collector, the clock frozen on the business date (``timezone.now`` patched, no sleeps),
and the development SMS channel writing into the test's own folder."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from arrears.accounts.models import Team, User
from arrears.cases.models import CollectionCase
from arrears.outreach.self_service import link_sign, link_token
from arrears.portfolio.models import Creditor, LoanParty, Party
from tests.factories import loan_row, valid_id, valid_phone
from tests.workbench.test_queue import assign, build_cases

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)  # the business date of build_cases


class Clock:
    """The moment ``timezone.now`` answers; tests move it on."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class World:
    case: CollectionCase
    borrower: Party
    guarantor: Party
    collector: User
    team: Team
    clock: Clock
    outbox: Path


@pytest.fixture
def clock() -> Iterator[Clock]:
    frozen = Clock(START)
    with mock.patch("django.utils.timezone.now", side_effect=lambda: frozen.now):
        yield frozen


@pytest.fixture
def world(
    creditor: Creditor,
    tmp_path: Path,
    clock: Clock,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> World:
    monkeypatch.delenv("ARREARS_SMS_PROVIDER", raising=False)
    settings.ARREARS_DEV_OUTBOX_DIR = str(tmp_path / "dev-outbox")
    row = loan_row(
        "P1",
        borrower_name="王小明",
        guarantor_name="保证人李四",
        guarantor_id_number=valid_id(),
        guarantor_phone=valid_phone(),
    )
    cases = build_cases(creditor, tmp_path, [row])
    team = Team.objects.create(name="M1 team", creditor=creditor, buckets="M1")
    collector = User.objects.create_user(
        "collector1", password="x-long-pass-1", role="collector", team=team
    )
    case = cases["P1"]
    assign(case, team, collector)
    parties = {lp.role: lp.party for lp in LoanParty.objects.filter(loan=case.loan)}
    return World(
        case=case,
        borrower=parties["borrower"],
        guarantor=parties["guarantor"],
        collector=collector,
        team=team,
        clock=clock,
        outbox=tmp_path / "dev-outbox",
    )


def link_path(world: World, party: Party | None = None) -> str:
    party = party or world.borrower
    claims = link_token(loan_id=world.case.loan_id, party_id=party.pk)
    return f"/p/{link_sign(claims)}/"


def last4(party: Party) -> str:
    return party.id_number[-4:]


def codes_sent(world: World) -> list[str]:
    """The codes in the development SMS log, oldest first."""
    log = world.outbox / "sms.log"
    if not log.exists():
        return []
    return re.findall(r"(?:验证码为|code is )(\d{6})", log.read_text(encoding="utf-8"))


Capture = Callable[..., Any]


def to_code_step(client: Client, world: World, capture: Capture, party: Party | None = None) -> str:
    """Open a fresh link and pass the ID step; the code sent (read from the SMS log)."""
    party = party or world.borrower
    assert client.get(link_path(world, party)).status_code == 302
    with capture(execute=True):
        response = client.post("/p/verify/", {"step": "id", "last4": last4(party)})
    assert response.status_code == 302, response.content.decode()
    return codes_sent(world)[-1]


def signed_in(client: Client, world: World, capture: Capture, party: Party | None = None) -> Client:
    """A client signed in to ``party``'s portal (the borrower's by default)."""
    code = to_code_step(client, world, capture, party)
    response = client.post("/p/verify/", {"step": "code", "code": code})
    assert response.status_code == 302 and response["Location"] == "/p/", response.content.decode()
    return client
