"""Placing a case with an agency and taking it back: the balance at placement, one active
placement per case, recall by hand and at the end of the term (set-based, idempotent),
and the payments attributed to the agency by the placement's window (edge days)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from arrears.accounts.models import User
from arrears.agencies.batch import placements_expire
from arrears.agencies.models import Placement
from arrears.agencies.selectors import agency_statement, placement_recovered
from arrears.agencies.services import placement_create, placement_recall
from arrears.cases.models import CaseAssignment, CollectionCase, WorkItem
from arrears.cases.scoping import cases_visible_to
from arrears.core.errors import InvalidInput
from arrears.core.models import AuditEntry
from arrears.portfolio.models import Creditor, LoanPosition
from arrears.portfolio.services import payment_post
from tests.agencies.conftest import PLACED, World
from tests.factories import loan_row
from tests.workbench.test_queue import build_cases

pytestmark = pytest.mark.django_db


def _pay(case: CollectionCase, payment_id: str, on: date, fen: int) -> None:
    payment_post(loan=case.loan, payment_id=payment_id, amount=fen, paid_on=on, channel="bank")


def test_placing_records_the_balance_and_bucket_and_hands_the_case_to_the_agency(
    world: World,
) -> None:
    case = world.cases["A1"]
    position = LoanPosition.objects.get(loan_id=case.loan_id)

    placement = placement_create(case=case, agency=world.agency, on=PLACED, by=world.lead)

    overdue = (
        position.overdue_principal
        + position.overdue_interest
        + position.overdue_fees
        + position.overdue_penalty
    )
    assert placement.overdue_at_placement == overdue > 0
    assert placement.outstanding_at_placement == (
        position.principal_outstanding + overdue - position.overdue_principal
    )
    assert placement.outstanding_at_placement > placement.overdue_at_placement
    assert (placement.bucket, placement.contract, placement.status) == (
        "M1",
        world.contract,
        "active",
    )
    assert placement.ends_on == PLACED + timedelta(days=30)
    case.refresh_from_db()
    assert case.agency_id == world.agency.pk and case.assignee_id is None
    released = CaseAssignment.objects.get(case=case, rule="agency")
    assert (released.previous_assignee_id, released.reason) == (
        world.collector.pk,
        world.agency.name,
    )
    assert AuditEntry.objects.filter(action="agency.place", subject_id=str(case.pk)).exists()


def test_a_case_is_placed_only_once_at_a_time(world: World) -> None:
    case = world.cases["A1"]
    placement_create(case=case, agency=world.agency, on=PLACED, by=world.lead)

    with pytest.raises(InvalidInput, match="placed with an agency already"):
        placement_create(case=case, agency=world.agency, on=PLACED, by=world.lead)
    first = Placement.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            case=case,
            loan_id=case.loan_id,
            agency=world.other_agency,
            contract=world.contract,
            placed_on=PLACED,
            ends_on=first.ends_on,
            overdue_at_placement=1,
            outstanding_at_placement=1,
            bucket="M1",
            dpd=1,
        )


def test_placing_needs_a_contract_in_force_and_an_open_case(world: World) -> None:
    with pytest.raises(InvalidInput, match="no contract with this creditor in force"):
        placement_create(case=world.cases["A1"], agency=world.other_agency, on=PLACED, by=None)
    with pytest.raises(InvalidInput, match="no contract"):
        placement_create(case=world.cases["A1"], agency=world.agency, on=date(2027, 1, 1), by=None)
    closed = world.cases["A2"]
    CollectionCase.objects.filter(pk=closed.pk).update(status="closed", closed_on=PLACED)
    with pytest.raises(InvalidInput, match="only an open case"):
        placement_create(case=closed, agency=world.agency, on=PLACED, by=None)
    assert Placement.objects.count() == 0


def test_the_playbooks_placement_task_is_done_when_the_case_is_placed(world: World) -> None:
    case = world.cases["A1"]
    party_id = case.loan.loan_parties.get(role="borrower").party_id
    task = WorkItem.objects.create(
        case=case,
        loan_id=case.loan_id,
        party_id=party_id,
        planned_action_id=9001,
        type="placement",
        queue="agency",
        title="委外催收",
        due_at="2026-03-10T09:00:00+08:00",
    )

    placement = placement_create(
        case=case, agency=world.agency, on=PLACED, by=world.lead, work_item=task
    )

    task.refresh_from_db()
    assert task.status == "done" and placement.work_item_id == task.pk


def test_a_manual_recall_gives_the_case_back_and_is_audited(world: World) -> None:
    case = world.cases["A1"]
    placement = placement_create(case=case, agency=world.agency, on=PLACED, by=world.lead)

    placement_recall(
        placement=placement, on=PLACED + timedelta(days=5), reason="breach", by=world.lead
    )

    placement.refresh_from_db()
    case.refresh_from_db()
    assert (placement.status, placement.recall_reason) == ("recalled", "breach")
    assert case.agency_id is None
    assert AuditEntry.objects.filter(action="agency.recall", subject_id=str(case.pk)).exists()
    with pytest.raises(InvalidInput, match="no longer active"):
        placement_recall(placement=placement, on=PLACED, reason="manual", by=None)
    # Placed again after a recall: a new placement, allowed.
    placement_create(case=case, agency=world.agency, on=PLACED + timedelta(days=6), by=None)


def test_the_daily_step_ends_placements_whose_term_is_over_and_only_those(
    world: World,
) -> None:
    short = placement_create(case=world.cases["A1"], agency=world.agency, on=PLACED, by=None)
    later = placement_create(
        case=world.cases["A2"], agency=world.agency, on=PLACED + timedelta(days=1), by=None
    )
    first, last = 0, 10**9

    assert placements_expire(first=first, last=last, on=short.ends_on - timedelta(days=1)) == 0
    written = placements_expire(first=first, last=last, on=short.ends_on)
    again = placements_expire(first=first, last=last, on=short.ends_on)

    short.refresh_from_db()
    later.refresh_from_db()
    assert written == 2 and again == 0, "the placement and its case; nothing the second time"
    assert (short.status, short.recall_reason, short.recalled_on) == (
        "ended",
        "end_of_term",
        short.ends_on,
    )
    assert later.status == "active"
    assert CollectionCase.objects.get(pk=short.case_id).agency_id is None
    assert CollectionCase.objects.get(pk=later.case_id).agency_id == world.agency.pk
    entry = AuditEntry.objects.get(action="agency.placements_end")
    assert entry.data["placements"] == [short.pk]


def test_the_daily_step_ends_the_placement_of_a_closed_case_on_its_closing_day(
    world: World,
) -> None:
    placement = placement_create(case=world.cases["A1"], agency=world.agency, on=PLACED, by=None)
    closed_on = PLACED + timedelta(days=3)
    CollectionCase.objects.filter(pk=placement.case_id).update(
        status="closed", closed_on=closed_on, close_reason="paid_off"
    )

    placements_expire(first=0, last=10**9, on=closed_on)

    placement.refresh_from_db()
    assert (placement.status, placement.recall_reason, placement.recalled_on) == (
        "ended",
        "paid",
        closed_on,
    )


def test_payments_count_from_the_placement_day_up_to_but_not_the_recall_day(
    world: World,
) -> None:
    case = world.cases["A1"]
    placement = placement_create(case=case, agency=world.agency, on=PLACED, by=None)
    recalled = PLACED + timedelta(days=10)
    _pay(case, "before", PLACED - timedelta(days=1), 1_000)
    _pay(case, "first-day", PLACED, 20_000)
    _pay(case, "last-day", recalled - timedelta(days=1), 300_000)
    _pay(case, "recall-day", recalled, 4_000_000)
    placement_recall(placement=placement, on=recalled, reason="manual", by=None)

    assert placement_recovered(placement) == 320_000


def test_an_active_placement_counts_payments_up_to_but_not_its_end_day(world: World) -> None:
    case = world.cases["A1"]
    placement = placement_create(case=case, agency=world.agency, on=PLACED, by=None)
    _pay(case, "last-day", placement.ends_on - timedelta(days=1), 5_000)
    _pay(case, "end-day", placement.ends_on, 7_000)

    assert placement_recovered(placement) == 5_000


def test_the_statement_splits_a_placement_across_months_at_the_month_boundary(
    world: World,
) -> None:
    case = world.cases["A1"]
    placement_create(case=case, agency=world.agency, on=PLACED, by=None)  # to 2026-04-09
    _pay(case, "march", date(2026, 3, 31), 123_455)
    _pay(case, "april", date(2026, 4, 1), 10_000)
    _pay(case, "too-late", date(2026, 4, 9), 99_999)

    march = agency_statement(agency=world.agency, month="2026-03")
    april = agency_statement(agency=world.agency, month="2026-04")

    assert [(line.recovered, line.commission) for line in march.lines] == [(123_455, 12_346)]
    # Cumulative 133,455 × 10% = 13,345.5 → 13,346; less March's 12,346 (12,345.5 → 12,346).
    assert [(line.recovered, line.commission) for line in april.lines] == [(10_000, 1_000)]
    assert agency_statement(agency=world.agency, month="2026-05").lines == []


def test_the_daily_cycle_ends_a_placement_on_its_last_day_and_the_agency_loses_it(
    world: World,
) -> None:
    from arrears.cycle.runner import cycle_run

    case = world.cases["A1"]
    placement = placement_create(case=case, agency=world.agency, on=PLACED, by=world.lead)

    cycle_run(on=placement.ends_on - timedelta(days=1))
    placement.refresh_from_db()
    assert placement.status == "active"

    cycle_run(on=placement.ends_on)

    placement.refresh_from_db()
    case.refresh_from_db()
    assert (placement.status, placement.recall_reason) == ("ended", "end_of_term")
    assert case.agency_id is None
    assert not cases_visible_to(world.agent).exists()


def test_the_demo_agency_has_a_contract_a_collector_placements_and_a_recovery(
    creditor: Creditor, tmp_path: Path
) -> None:
    from arrears.agencies.demo import demo_agency_create

    build_cases(creditor, tmp_path, [loan_row(f"D{n}") for n in range(5)])
    today = PLACED + timedelta(days=25)

    made = demo_agency_create(creditor=creditor, today=today)

    assert len(made) == 3
    assert User.objects.get(username="agency1").agency.code == "xinda"  # type: ignore[union-attr]
    paid_month = f"{today - timedelta(days=5):%Y-%m}"
    statement = agency_statement(agency=made[0].agency, month=paid_month)
    assert statement.recovered > 0 and statement.commission > 0
    assert demo_agency_create(creditor=creditor, today=today) == [], "once"


def test_a_breach_against_the_agency_recalls_its_placement_and_only_its_own(
    world: World,
) -> None:
    from arrears.agencies.services import placement_recall_for_breach

    case = world.cases["A1"]
    placement = placement_create(case=case, agency=world.agency, on=PLACED, by=None)

    assert (
        placement_recall_for_breach(
            case_id=case.pk, agency_id=world.other_agency.pk, on=PLACED, by=None, note="x"
        )
        is None
    )
    recalled = placement_recall_for_breach(
        case_id=case.pk, agency_id=world.agency.pk, on=PLACED, by=None, note="threat on a call"
    )

    assert recalled is not None and recalled.pk == placement.pk
    assert (recalled.status, recalled.recall_reason) == ("recalled", "breach")
    assert (
        placement_recall_for_breach(
            case_id=case.pk, agency_id=world.agency.pk, on=PLACED, by=None, note="again"
        )
        is None
    )
