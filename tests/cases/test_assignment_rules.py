"""The assignment rules (分案) on their own: no database, just who gets which case."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.cases import assignment_rules
from arrears.cases.assignment_rules import (
    BALANCED_AMOUNT,
    ROUND_ROBIN,
    SAME_BORROWER,
    Collector,
    PoolCase,
    assign,
)


def cases(*amounts: int, borrower: int | None = None) -> list[PoolCase]:
    return [PoolCase(100 + n, borrower, amount) for n, amount in enumerate(amounts)]


def who_got(placements: list[assignment_rules.Placement]) -> dict[int, int]:
    return {p.case_id: p.collector_id for p in placements}


def test_round_robin_deals_cases_in_turn() -> None:
    team = [Collector(1, 10), Collector(2, 10), Collector(3, 10)]

    placed = assign(collectors=team, cases=cases(5, 5, 5, 5), method=ROUND_ROBIN)

    assert who_got(placed) == {100: 1, 101: 2, 102: 3, 103: 1}
    assert {p.rule for p in placed} == {ROUND_ROBIN}


def test_round_robin_continues_after_the_collector_who_got_the_last_case() -> None:
    team = [Collector(1, 10), Collector(2, 10), Collector(3, 10)]

    placed = assign(collectors=team, cases=cases(5, 5), method=ROUND_ROBIN, last_collector_id=2)

    assert who_got(placed) == {100: 3, 101: 1}


def test_round_robin_skips_a_collector_at_capacity() -> None:
    team = [Collector(1, 10), Collector(2, 3, open_cases=3), Collector(3, 10)]

    placed = assign(collectors=team, cases=cases(5, 5, 5), method=ROUND_ROBIN)

    assert who_got(placed) == {100: 1, 101: 3, 102: 1}


def test_balanced_amount_gives_the_largest_case_to_the_lightest_collector() -> None:
    team = [
        Collector(1, 10, open_cases=1, assigned_amount=90_000),
        Collector(2, 10, open_cases=1, assigned_amount=10_000),
    ]

    placed = assign(collectors=team, cases=cases(50_000, 20_000, 70_000), method=BALANCED_AMOUNT)

    # 70,000 → #2 (now 80,000); 50,000 → #2 again (80,000 < 90,000); 20,000 → #1.
    assert who_got(placed) == {102: 2, 100: 2, 101: 1}
    assert {p.rule for p in placed} == {BALANCED_AMOUNT}


def test_a_borrower_keeps_their_collector_when_the_team_wants_it() -> None:
    team = [Collector(1, 10), Collector(2, 10)]
    new = [PoolCase(100, 7, 5), PoolCase(101, 8, 5)]

    placed = assign(collectors=team, cases=new, method=ROUND_ROBIN, borrower_links={7: [2]})

    assert placed[0] == assignment_rules.Placement(100, 2, SAME_BORROWER)
    assert who_got(placed)[101] == 1


def test_same_borrower_is_ignored_when_the_team_turned_it_off() -> None:
    team = [Collector(1, 10), Collector(2, 10)]

    placed = assign(
        collectors=team,
        cases=[PoolCase(100, 7, 5)],
        method=ROUND_ROBIN,
        same_borrower=False,
        borrower_links={7: [2]},
    )

    assert placed == [assignment_rules.Placement(100, 1, ROUND_ROBIN)]


def test_same_borrower_gives_way_when_their_collector_is_full_or_in_another_team() -> None:
    team = [Collector(1, 1, open_cases=1), Collector(2, 10)]

    placed = assign(
        collectors=team,
        cases=[PoolCase(100, 7, 5), PoolCase(101, 8, 5)],
        method=ROUND_ROBIN,
        borrower_links={7: [1], 8: [99]},
    )

    assert who_got(placed) == {100: 2, 101: 2}
    assert {p.rule for p in placed} == {ROUND_ROBIN}


def test_a_borrowers_new_cases_of_the_same_day_go_to_one_collector() -> None:
    team = [Collector(1, 10), Collector(2, 10), Collector(3, 10)]

    placed = assign(collectors=team, cases=cases(5, 5, 5, borrower=7), method=ROUND_ROBIN)

    assert set(who_got(placed).values()) == {1}
    assert [p.rule for p in placed] == [ROUND_ROBIN, SAME_BORROWER, SAME_BORROWER]


def test_cases_that_fit_nobody_stay_in_the_team_pool() -> None:
    team = [Collector(1, 2, open_cases=1), Collector(2, 1)]

    placed = assign(collectors=team, cases=cases(5, 5, 5, 5), method=BALANCED_AMOUNT)

    assert len(placed) == 2
    assert sorted(who_got(placed).values()) == [1, 2]


def test_a_team_without_collectors_assigns_nothing() -> None:
    assert assign(collectors=[], cases=cases(5), method=ROUND_ROBIN) == []


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown assignment method"):
        assign(collectors=[Collector(1, 1)], cases=cases(5), method="lottery")


def test_the_rule_names_are_the_ones_the_assignment_history_stores() -> None:
    from arrears.cases.choices import AssignmentRule

    assert {SAME_BORROWER, ROUND_ROBIN, BALANCED_AMOUNT} <= set(AssignmentRule.values)


def test_the_rules_module_imports_no_django() -> None:
    tree = ast.parse(Path(assignment_rules.__file__).read_text(encoding="utf-8"))
    imported = [
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]

    assert not [name for name in imported if name.startswith(("django", "arrears"))]


collector_lists = st.lists(
    st.builds(
        Collector,
        id=st.integers(1, 40),
        capacity=st.integers(0, 6),
        open_cases=st.integers(0, 6),
        assigned_amount=st.integers(0, 10**7),
    ),
    max_size=6,
    unique_by=lambda c: c.id,
)
case_lists = st.lists(
    st.builds(
        PoolCase,
        id=st.integers(1, 10_000),
        borrower_id=st.none() | st.integers(1, 8),
        amount=st.integers(1, 10**7),
    ),
    max_size=40,
    unique_by=lambda c: c.id,
)


@given(
    collectors=collector_lists,
    pool=case_lists,
    method=st.sampled_from([ROUND_ROBIN, BALANCED_AMOUNT]),
    same_borrower=st.booleans(),
    links=st.dictionaries(st.integers(1, 8), st.lists(st.integers(1, 40), max_size=3)),
    cursor=st.none() | st.integers(0, 41),
)
def test_nobody_goes_over_capacity_and_no_case_is_given_twice(
    collectors: list[Collector],
    pool: list[PoolCase],
    method: str,
    same_borrower: bool,
    links: dict[int, list[int]],
    cursor: int | None,
) -> None:
    placed = assign(
        collectors=collectors,
        cases=pool,
        method=method,
        same_borrower=same_borrower,
        borrower_links=links,
        last_collector_id=cursor,
    )

    case_ids = [p.case_id for p in placed]
    assert len(case_ids) == len(set(case_ids))
    assert set(case_ids) <= {case.id for case in pool}
    by_id = {c.id: c for c in collectors}
    for collector_id in {p.collector_id for p in placed}:
        given_now = sum(1 for p in placed if p.collector_id == collector_id)
        collector = by_id[collector_id]
        assert given_now <= max(collector.capacity - collector.open_cases, 0)
    # Nothing stays in the pool while someone still has room.
    room = sum(max(c.capacity - c.open_cases, 0) for c in collectors)
    assert len(placed) == min(len(pool), room)
    # Deterministic: the same question gets the same answer.
    assert placed == assign(
        collectors=list(reversed(collectors)),
        cases=list(reversed(pool)),
        method=method,
        same_borrower=same_borrower,
        borrower_links=links,
        last_collector_id=cursor,
    )
