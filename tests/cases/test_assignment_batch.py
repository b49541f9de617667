"""The daily assignment (分案) on real cases: teams by bucket, shares by rule and capacity,
re-assignment on a stage change, and nothing done twice."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from arrears.accounts.choices import AssignmentMethod, Role
from arrears.accounts.models import Team, User
from arrears.cases.assignment_services import case_reassign
from arrears.cases.batch import cases_assign
from arrears.cases.models import CaseAssignment, CollectionCase
from arrears.cycle.runner import cycle_run
from arrears.portfolio.models import Creditor
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, valid_id, write_csv

pytestmark = pytest.mark.django_db

FIRST_DAY = date(2026, 3, 1)  # loans disbursed 2026-01-31 are 1 day past due (M1)


def ingest(creditor: Creditor, tmp_path: Path, rows: list[dict[str, str]]) -> None:
    name = f"loans_{len(list(tmp_path.iterdir()))}.csv"
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / name, rows))


def loans(count: int, *, prefix: str = "L", **overrides: str) -> list[dict[str, str]]:
    return [loan_row(f"{prefix}{n:04d}", **overrides) for n in range(count)]


def team(creditor: Creditor, name: str, buckets: str, **fields: object) -> Team:
    return Team.objects.create(name=name, creditor=creditor, buckets=buckets, **fields)


def member(team: Team | None, name: str, role: str = Role.COLLECTOR, **fields: Any) -> User:
    return User.objects.create_user(
        name, password="a-long-unique-pass", role=role, team=team, **fields
    )


def assignees(**filters: object) -> dict[str, str | None]:
    """Loan id → the username of whoever works its open case."""
    return {
        loan_id: username
        for loan_id, username in CollectionCase.objects.filter(status="open", **filters)
        .order_by("loan__loan_id")
        .values_list("loan__loan_id", "assignee__username")
    }


def in_case_order(**filters: object) -> list[str | None]:
    """Who works each open case, in the order the cases were opened (their ids)."""
    return list(
        CollectionCase.objects.filter(status="open", **filters)
        .order_by("id")
        .values_list("assignee__username", flat=True)
    )


def test_new_cases_go_to_the_team_of_their_bucket_in_turn(
    creditor: Creditor, tmp_path: Path
) -> None:
    m1 = team(creditor, "M1 team", "M1")
    team(creditor, "M2 team", "M2,M3")
    a, b, c = member(m1, "a"), member(m1, "b"), member(m1, "c")
    ingest(creditor, tmp_path, loans(4))

    cycle_run(on=FIRST_DAY)

    assert set(CollectionCase.objects.values_list("team_id", flat=True)) == {m1.pk}
    assert in_case_order() == ["a", "b", "c", "a"]
    history = CaseAssignment.objects.order_by("case_id")
    assert [(h.assignee_id, h.team_id, h.rule, h.on) for h in history] == [
        (a.pk, m1.pk, "round_robin", FIRST_DAY),
        (b.pk, m1.pk, "round_robin", FIRST_DAY),
        (c.pk, m1.pk, "round_robin", FIRST_DAY),
        (a.pk, m1.pk, "round_robin", FIRST_DAY),
    ]
    assert CollectionCase.objects.filter(assigned_on=FIRST_DAY).count() == 4


def test_the_next_days_cases_continue_where_the_turn_stopped(
    creditor: Creditor, tmp_path: Path
) -> None:
    m1 = team(creditor, "M1 team", "M1")
    for name in ("a", "b", "c"):
        member(m1, name)
    ingest(creditor, tmp_path, loans(4))
    # First due 2026-03-05: overdue on the 6th.
    ingest(creditor, tmp_path, loans(2, prefix="N", disbursed_on="2026-02-05"))

    cycle_run(on=FIRST_DAY)
    cycle_run(on=date(2026, 3, 6))

    assert in_case_order(loan__loan_id__startswith="N") == ["b", "c"]


def test_balanced_amount_evens_out_the_money_each_collector_chases(
    creditor: Creditor, tmp_path: Path
) -> None:
    m1 = team(creditor, "M1 team", "M1", assignment_method=AssignmentMethod.BALANCED_AMOUNT)
    member(m1, "a")
    member(m1, "b")
    ingest(
        creditor,
        tmp_path,
        [
            loan_row("BIG", principal="100,000.00"),
            loan_row("MID", principal="60,000.00"),
            loan_row("HALF", principal="50,000.00"),
            loan_row("TINY", principal="10,000.00"),
        ],
    )

    cycle_run(on=FIRST_DAY)

    # Largest first to the lighter one: BIG → a, MID → b, HALF → b, TINY → a.
    assert assignees() == {"BIG": "a", "HALF": "b", "MID": "b", "TINY": "a"}
    assert set(CaseAssignment.objects.values_list("rule", flat=True)) == {"balanced_amount"}


def test_nobody_gets_more_than_their_capacity_and_the_rest_waits_in_the_pool(
    creditor: Creditor, tmp_path: Path
) -> None:
    m1 = team(creditor, "M1 team", "M1")
    member(m1, "a", capacity=1)
    member(m1, "b", capacity=2)
    ingest(creditor, tmp_path, loans(5))
    cycle_run(on=FIRST_DAY)

    summary = cases_assign(on=FIRST_DAY)

    assert Counter(assignees().values()) == {"a": 1, "b": 2, None: 2}
    assert CollectionCase.objects.filter(team=m1, assignee__isnull=True).count() == 2
    assert (summary.assigned_total, summary.left_in_pool) == (0, 2)


def test_only_active_collectors_and_field_agents_of_the_team_get_cases(
    creditor: Creditor, tmp_path: Path
) -> None:
    m1 = team(creditor, "M1 team", "M1")
    other = team(creditor, "M2 team", "M2")
    member(m1, "lead", role=Role.TEAM_LEAD)
    member(m1, "gone", is_active=False)
    member(other, "elsewhere")
    member(m1, "agent", role=Role.FIELD_AGENT)
    ingest(creditor, tmp_path, loans(3))

    cycle_run(on=FIRST_DAY)

    assert set(assignees().values()) == {"agent"}


def test_a_borrower_with_a_collector_keeps_them_for_a_new_loan(
    creditor: Creditor, tmp_path: Path
) -> None:
    m1 = team(creditor, "M1 team", "M1")
    member(m1, "a")
    b = member(m1, "b")
    lead = member(m1, "lead", role=Role.TEAM_LEAD)
    borrower = valid_id()
    ingest(creditor, tmp_path, [loan_row("X1"), loan_row("OLD1", borrower_id_number=borrower)])
    ingest(
        creditor,
        tmp_path,
        [loan_row("NEW1", borrower_id_number=borrower, disbursed_on="2026-02-05")],
    )
    cycle_run(on=FIRST_DAY)
    assert in_case_order() == ["a", "b"]
    old = CollectionCase.objects.get(loan__loan_id="OLD1")
    if old.assignee_id != b.pk:
        case_reassign(case=old, assignee=b, by=lead, reason="one voice", on=FIRST_DAY)

    cycle_run(on=date(2026, 3, 6))

    # Round robin's turn is a's, but the borrower already talks to b.
    new = CollectionCase.objects.get(loan__loan_id="NEW1")
    assert new.assignee is not None and new.assignee.username == "b"
    assert CaseAssignment.objects.get(case=new).rule == "same_borrower"


def test_same_borrower_can_be_turned_off_for_a_team(creditor: Creditor, tmp_path: Path) -> None:
    m1 = team(creditor, "M1 team", "M1", same_borrower_same_collector=False)
    member(m1, "a")
    member(m1, "b")
    borrower = valid_id()
    ingest(creditor, tmp_path, [loan_row("OLD1", borrower_id_number=borrower)])
    ingest(
        creditor,
        tmp_path,
        [loan_row("NEW1", borrower_id_number=borrower, disbursed_on="2026-02-05")],
    )

    cycle_run(on=FIRST_DAY)
    cycle_run(on=date(2026, 3, 6))

    assert assignees() == {"OLD1": "a", "NEW1": "b"}


def test_a_case_that_reaches_m2_moves_to_the_m2_team_and_its_collectors(
    creditor: Creditor, tmp_path: Path
) -> None:
    m1, m2 = team(creditor, "M1 team", "M1"), team(creditor, "M2 team", "M2,M3")
    a = member(m1, "a")
    member(m2, "z")
    ingest(creditor, tmp_path, loans(1))
    cycle_run(on=FIRST_DAY)

    cycle_run(on=date(2026, 3, 31))  # DPD 31: M2

    case = CollectionCase.objects.get()
    assert (case.bucket, case.team_id, case.assignee.username if case.assignee else None) == (
        "M2",
        m2.pk,
        "z",
    )
    history = list(CaseAssignment.objects.filter(case=case).order_by("id"))
    assert [(h.rule, h.team_id, h.previous_assignee_id) for h in history[1:]] == [
        ("stage_change", m2.pk, a.pk),
        ("round_robin", m2.pk, None),
    ]


def test_a_case_whose_bucket_no_team_works_leaves_its_team_and_collector(
    creditor: Creditor, tmp_path: Path
) -> None:
    m1 = team(creditor, "M1 team", "M1")
    member(m1, "a")
    ingest(creditor, tmp_path, loans(1))
    cycle_run(on=FIRST_DAY)
    CollectionCase.objects.update(bucket="M2")

    summary = cases_assign(on=FIRST_DAY)

    case = CollectionCase.objects.get()
    assert (case.team_id, case.assignee_id, case.assigned_on) == (None, None, None)
    assert summary.routed == 1
    assert CaseAssignment.objects.filter(rule="stage_change", team__isnull=True).count() == 1


def test_assigning_a_day_again_changes_nothing(creditor: Creditor, tmp_path: Path) -> None:
    m1 = team(creditor, "M1 team", "M1")
    member(m1, "a", capacity=2)
    member(m1, "b", capacity=1)
    ingest(creditor, tmp_path, loans(5))
    cycle_run(on=FIRST_DAY)
    before = (assignees(), CaseAssignment.objects.count())

    summary = cases_assign(on=FIRST_DAY)
    cycle_run(on=FIRST_DAY)

    assert (assignees(), CaseAssignment.objects.count()) == before
    assert (summary.routed, summary.assigned_total) == (0, 0)


def test_a_manual_reassignment_stands_after_the_next_assignment(
    creditor: Creditor, tmp_path: Path
) -> None:
    m1 = team(creditor, "M1 team", "M1")
    member(m1, "a")
    b = member(m1, "b")
    lead = member(m1, "lead", role=Role.TEAM_LEAD)
    ingest(creditor, tmp_path, loans(2))
    cycle_run(on=FIRST_DAY)
    case = CollectionCase.objects.get(assignee__username="a")
    case_reassign(case=case, assignee=b, by=lead, reason="knows the family", on=FIRST_DAY)

    cycle_run(on=date(2026, 3, 2))

    assert in_case_order() == ["b", "b"]


def _pool_of(creditor: Creditor, tmp_path: Path, count: int) -> None:
    """``count`` open M1 cases with no team yet, then teams and collectors to share them."""
    ingest(creditor, tmp_path, loans(count))
    cycle_run(on=FIRST_DAY)
    round_robin, balanced = team(creditor, "RR", "M1"), team(creditor, "BA", "M2")
    balanced.assignment_method = AssignmentMethod.BALANCED_AMOUNT
    balanced.save()
    for n in range(4):
        member(round_robin, f"r{n}", capacity=count)
        member(balanced, f"b{n}", capacity=count)
    CollectionCase.objects.filter(
        id__in=CollectionCase.objects.order_by("id")[: count // 2]
    ).update(bucket="M2")


@pytest.mark.parametrize("count", [20, 200])
def test_assignment_costs_the_same_queries_for_20_or_200_cases(
    creditor: Creditor, tmp_path: Path, count: int, django_assert_max_num_queries: object
) -> None:
    _pool_of(creditor, tmp_path, count)

    with django_assert_max_num_queries(12):  # type: ignore[operator]
        summary = cases_assign(on=FIRST_DAY)

    assert summary.assigned_total == count
    assert CollectionCase.objects.filter(assignee__isnull=True).count() == 0
