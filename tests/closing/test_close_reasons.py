"""Each close reason is reached by the cycle or by the service that causes it, and a case
cured then overdue again reopens — the same case, its history still attached."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from arrears.cases.batch import cases_maintain
from arrears.cases.batch.creditor_move import cases_creditor_move
from arrears.cases.closing_services import case_close_by_person
from arrears.cases.models import Activity, CaseBucketSpell, CollectionCase
from arrears.cases.settlement_services import settlement_request, waivable
from arrears.compliance.models import Hold
from arrears.core.errors import Forbidden, InvalidInput
from arrears.core.models import AuditEntry
from arrears.portfolio.models import Creditor, Loan, LoanParty
from arrears.portfolio.services import creditor_get_or_create
from arrears.strategy.models import CaseStrategy, StrategyEvent
from tests.closing.world import Closing, closing_world, cycle

pytestmark = pytest.mark.django_db

ONE_MONTH = {"term_months": "1"}


def _activity(case: CollectionCase, by_id: int) -> Activity:
    party = LoanParty.objects.filter(loan_id=case.loan_id).first()
    assert party is not None
    return Activity.objects.create(
        case=case,
        party_id=party.party_id,
        channel="call",
        party_reached="borrower",
        outcome="promise",
        by_id=by_id,
        at="2026-03-10T10:00:00+08:00",
        sha256="0" * 64,
    )


def test_a_cured_case_reopens_with_its_history_when_the_loan_falls_overdue_again(
    creditor: Creditor, tmp_path: Path
) -> None:
    world = closing_world(creditor, tmp_path, {"C1": {}})
    cycle("--date", "2026-03-01", "--through", "2026-03-10")
    case = world.case("C1")
    call = _activity(case, world.collector.pk)
    world.pay("C1", "2026-03-12", "30000.00")  # two installments and some credit
    cycle("--date", "2026-03-11", "--through", "2026-04-30")
    case.refresh_from_db()
    closed = (case.status, case.close_reason, str(case.closed_on))
    assert closed == ("closed", "cured", "2026-03-12")

    cycle("--date", "2026-05-01", "--through", "2026-05-03")  # the third installment is missed

    reopened = CollectionCase.objects.get(loan__loan_id="C1", status="open")
    assert reopened.pk == case.pk
    assert CollectionCase.objects.filter(loan__loan_id="C1").count() == 1
    assert (str(reopened.reopened_on), reopened.reopen_count) == ("2026-05-01", 1)
    assert (reopened.closed_on, reopened.close_reason) == (None, "")
    assert str(reopened.opened_on) == "2026-03-01"  # its first day stays its first day
    assert list(Activity.objects.filter(case=reopened)) == [call]
    spells = list(
        CaseBucketSpell.objects.filter(case=reopened)
        .order_by("entered_on")
        .values_list("bucket", "entered_on", "left_on")
    )
    assert spells[-1] == ("M1", date(2026, 5, 1), None)
    assert spells[0][1] == date(2026, 3, 1) and spells[-2][2] == date(2026, 3, 12)
    client = Client()
    client.force_login(world.manager)
    page = client.get(f"/cases/{reopened.pk}/").content.decode()
    assert 'data-testid="reopened"' in page and "Reopened once, last on 2026-05-01" in page
    # Its strategy starts the stage afresh on the reopening day, though the DPD falls in the
    # stage it left: the stage's first actions are planned again.
    strategy = CaseStrategy.objects.get(case=reopened)
    assert strategy.stage_entered_on == date(2026, 5, 1)
    assert StrategyEvent.objects.filter(
        case=reopened, business_date=date(2026, 5, 1), kind="stage", reason="case reopened"
    ).exists()


def test_paid_in_full_closes_as_paid_off_and_a_settlement_that_clears_it_as_settled(
    creditor: Creditor, tmp_path: Path
) -> None:
    world = closing_world(creditor, tmp_path, {"O1": ONE_MONTH, "S1": ONE_MONTH})
    cycle("--date", "2026-03-01", "--through", "2026-03-03")
    world.pay("O1", "2026-03-04", "130000.00")
    world.pay("S1", "2026-03-04", "100000.00")
    cycle("--date", "2026-03-04")
    owed = waivable(world.loan("S1"), date(2026, 3, 5))
    settlement = settlement_request(
        case=world.case("S1"),
        by=world.manager,
        reason="lump sum, the rest given up",
        on=date(2026, 3, 5),
        **{f"waive_{name}": amount for name, amount in owed.items()},
    )
    assert settlement.status == "approved"
    cycle("--date", "2026-03-05", "--through", "2026-03-06")

    assert (world.case("O1").close_reason, world.case("S1").close_reason) == (
        "paid_off",
        "settled",
    )


def test_a_compensated_loan_closes_as_compensated_not_cured(
    creditor: Creditor, tmp_path: Path
) -> None:
    world = closing_world(creditor, tmp_path, {"X1": {}})
    cycle("--date", "2026-03-01", "--through", "2026-03-02")
    Loan.objects.filter(pk=world.loan("X1").pk).update(status="compensated")
    loan_pk = world.loan("X1").pk

    cases_maintain(first=loan_pk, last=loan_pk, on=date(2026, 3, 3))
    cases_maintain(first=loan_pk, last=loan_pk, on=date(2026, 3, 4))  # idempotent

    case = world.case("X1")
    assert (case.status, case.close_reason, str(case.closed_on)) == (
        "closed",
        "compensated",
        "2026-03-03",
    )
    assert CollectionCase.objects.filter(loan_id=loan_pk).count() == 1


def test_an_assignment_closes_the_old_creditors_case_as_sold_and_the_buyer_gets_a_new_one(
    creditor: Creditor, tmp_path: Path
) -> None:
    world = closing_world(creditor, tmp_path, {"T1": {}})
    cycle("--date", "2026-03-01", "--through", "2026-03-02")
    buyer = creditor_get_or_create(name="资产管理公司")
    loan = world.loan("T1")
    Loan.objects.filter(pk=loan.pk).update(creditor=buyer)
    cases_creditor_move(
        source="SELECT %(loan)s",
        params={"loan": loan.pk},
        to_creditor_id=buyer.pk,
        on=date(2026, 3, 3),
        at=timezone.now(),
        reason="debt assigned",
    )
    sold = CollectionCase.objects.get(loan=loan)
    assert (sold.status, sold.close_reason, str(sold.closed_on)) == ("closed", "sold", "2026-03-03")

    cycle("--date", "2026-03-04")

    cases = CollectionCase.objects.filter(loan=loan).order_by("id")
    assert [(c.status, c.close_reason) for c in cases] == [("closed", "sold"), ("open", "")]
    assert cases[1].creditor_id == buyer.pk and cases[1].reopen_count == 0


def _hold_deceased(world: Closing, loan_id: str) -> None:
    borrower = LoanParty.objects.get(loan=world.loan(loan_id), role="borrower")
    Hold.objects.create(party_id=borrower.party_id, kind="deceased", reason="family called")


def test_deceased_needs_a_hold_and_a_manager_and_legal_terminated_a_legal_officer(
    creditor: Creditor, tmp_path: Path
) -> None:
    world = closing_world(creditor, tmp_path, {"D1": {}, "L1": {}})
    cycle("--date", "2026-03-01", "--through", "2026-03-02")
    on = date(2026, 3, 3)
    dead, ended = world.case("D1"), world.case("L1")

    with pytest.raises(InvalidInput, match="deceased hold"):
        case_close_by_person(case=dead, by=world.manager, reason="deceased", note="cert", on=on)
    _hold_deceased(world, "D1")
    with pytest.raises(Forbidden):
        case_close_by_person(case=dead, by=world.lead, reason="deceased", note="cert", on=on)
    with pytest.raises(InvalidInput, match="say why"):
        case_close_by_person(case=dead, by=world.manager, reason="deceased", note=" ", on=on)
    case_close_by_person(
        case=dead, by=world.manager, reason="deceased", note="death certificate 123", on=on
    )
    case_close_by_person(
        case=ended, by=world.legal, reason="legal_terminated", note="(2026)京0105执恢1号", on=on
    )
    cycle("--date", "2026-03-04")  # the cycle neither reopens nor opens a new case

    assert [(c.status, c.close_reason) for c in CollectionCase.objects.order_by("loan_id")] == [
        ("closed", "deceased"),
        ("closed", "legal_terminated"),
    ]
    assert AuditEntry.objects.filter(action="case.close").count() == 2
