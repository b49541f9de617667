"""Settlements: a waiver within authority is posted at once, beyond it someone whose
authority covers it approves; the loan's balance shows the effect, never beyond what is owed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from arrears.cases.settlement_services import settlement_decide, settlement_request, waivable
from arrears.core.errors import Forbidden, InvalidInput
from arrears.core.models import AuditEntry
from arrears.portfolio.models import Creditor, Loan, Waiver
from arrears.portfolio.selectors import loan_state
from tests.cases.test_plans import World, make_world

ON = date(2026, 3, 20)


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path) -> World:
    return make_world(creditor, tmp_path, loan_id="S1")


def loan(world: World) -> Loan:
    return Loan.objects.get(pk=world.case.loan_id)


@pytest.mark.django_db
def test_a_collectors_small_penalty_waiver_is_posted_at_once_and_clears_the_penalty(
    world: World,
) -> None:
    penalty = loan_state(loan(world), as_of=ON).overdue.penalty
    assert 0 < penalty <= 500_00

    settlement = settlement_request(
        case=world.case, by=world.collector, waive_penalty=penalty, reason="hardship", on=ON
    )

    assert settlement.status == "approved"
    after = loan_state(loan(world), as_of=ON)
    assert after.overdue.penalty == 0
    assert after.paid.total == 0  # nothing was collected
    waiver = Waiver.objects.get(settlement_id=settlement.pk)
    assert settlement.payment_id == waiver.pk and waiver.penalty == penalty
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"settlement.request", "waiver.post"} <= actions


@pytest.mark.django_db
def test_a_principal_waiver_waits_for_a_manager_and_a_team_lead_may_not_grant_it(
    world: World,
) -> None:
    before = loan_state(loan(world), as_of=ON)
    settlement = settlement_request(
        case=world.case,
        by=world.collector,
        waive_principal=1_000_00,
        pay_amount=5_000_00,
        pay_by=date(2026, 3, 31),
        reason="lump sum offer",
        on=ON,
    )
    assert settlement.status == "pending"
    assert not Waiver.objects.exists()

    with pytest.raises(Forbidden):
        settlement_decide(settlement=settlement, by=world.lead, approve=True, note="", on=ON)
    approved = settlement_decide(
        settlement=settlement, by=world.manager, approve=True, note="worth it", on=ON
    )

    assert approved.status == "approved" and approved.decided_by == world.manager
    after = loan_state(loan(world), as_of=ON)
    assert after.overdue.principal == before.overdue.principal - 1_000_00
    assert AuditEntry.objects.filter(
        action="settlement.approve", subject_id=str(settlement.pk)
    ).exists()


@pytest.mark.django_db
def test_a_waiver_above_what_is_owed_is_refused_for_that_component(world: World) -> None:
    owed = waivable(loan(world), ON)

    with pytest.raises(InvalidInput, match="more than the penalty owed") as caught:
        settlement_request(
            case=world.case,
            by=world.manager,
            waive_penalty=owed["penalty"] + 1,
            reason="x",
            on=ON,
        )

    assert caught.value.field == "waive_penalty"


@pytest.mark.django_db
def test_a_rejected_settlement_posts_nothing_and_needs_a_reason(world: World) -> None:
    settlement = settlement_request(
        case=world.case, by=world.collector, waive_interest=900_00, reason="asks", on=ON
    )

    with pytest.raises(InvalidInput):
        settlement_decide(settlement=settlement, by=world.lead, approve=False, note="", on=ON)
    rejected = settlement_decide(
        settlement=settlement, by=world.lead, approve=False, note="can pay in full", on=ON
    )

    assert rejected.status == "rejected"
    assert not Waiver.objects.exists()


@pytest.mark.django_db
def test_a_settlement_needs_an_amount_and_a_date_for_the_payment(world: World) -> None:
    with pytest.raises(InvalidInput) as nothing:
        settlement_request(case=world.case, by=world.collector, reason="x", on=ON)
    with pytest.raises(InvalidInput) as no_date:
        settlement_request(
            case=world.case,
            by=world.collector,
            waive_penalty=1_00,
            pay_amount=100_00,
            reason="x",
            on=ON,
        )

    assert nothing.value.field == "waive_penalty"
    assert no_date.value.field == "pay_by"


@pytest.mark.django_db
def test_a_collector_may_waive_penalty_only_so_a_small_interest_waiver_waits(
    world: World,
) -> None:
    interest = loan_state(loan(world), as_of=ON).overdue.interest
    assert interest > 100_00

    settlement = settlement_request(
        case=world.case, by=world.collector, waive_interest=100_00, reason="goodwill", on=ON
    )

    assert settlement.status == "pending", "interest is beyond a collector's components"
    assert not Waiver.objects.exists()
    approved = settlement_decide(settlement=settlement, by=world.lead, approve=True, note="", on=ON)
    assert approved.status == "approved"
