"""Properties of the replay over random loans and payment streams (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.portfolio.calculations.allocation import LoanTerms, PaymentIn, replay
from arrears.portfolio.calculations.schedule import build_schedule
from tests.portfolio.calculations.daily_oracle import daily_replay

COMPONENTS = ("principal", "interest", "fees", "penalty")


@st.composite
def loans(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    method = draw(st.sampled_from(["annuity", "equal_principal", "interest_only", "bullet"]))
    principal = draw(st.one_of(st.integers(1, 100), st.integers(100, 10**10)))
    rate = Decimal(draw(st.integers(0, 3600))) / 10000
    term = draw(st.integers(1, 18))
    disbursed_on = date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 400)))
    schedule = build_schedule(
        principal=principal,
        annual_rate=rate,
        term_months=term,
        method=method,
        disbursed_on=disbursed_on,
    )
    order = draw(
        st.one_of(
            st.just(("fees", "penalty", "interest", "principal")),
            st.permutations(COMPONENTS).map(tuple),
        )
    )
    terms = LoanTerms(
        penalty_rate=Decimal(draw(st.integers(0, 5400))) / 10000,
        grace_days=draw(st.sampled_from([0, 0, 3, 10])),
        day_count=draw(st.sampled_from([360, 365])),
        allocation_order=order,
    )
    horizon = (schedule[-1].due_on - disbursed_on).days + 120
    typical = max(principal // max(term, 1), 2)
    payments = draw(
        st.lists(
            st.builds(
                PaymentIn,
                key=st.text("ABCDEFGH0123456789", min_size=1, max_size=6),
                paid_on=st.integers(0, horizon).map(lambda d: disbursed_on + timedelta(days=d)),
                amount=st.integers(1, typical * 2),
            ),
            max_size=10,
            unique_by=lambda p: p.key,
        )
    )
    as_of = disbursed_on + timedelta(days=draw(st.integers(0, horizon)))
    return principal, schedule, terms, payments, as_of


@settings(max_examples=300, deadline=None)
@given(loans())
def test_parts_sum_and_money_is_neither_lost_nor_invented(case) -> None:  # type: ignore[no-untyped-def]
    principal, schedule, terms, payments, as_of = case

    result = replay(installments=schedule, payments=payments, terms=terms, as_of=as_of)

    assert sum(item.principal for item in schedule) == principal
    received = sum(p.amount for p in payments if p.paid_on <= as_of)
    assert sum(line.total for line in result.allocations) + result.credit_balance == received
    assert result.paid.total + result.credit_balance == received
    for item in result.installments:
        for component in COMPONENTS:
            due = getattr(item.due, component)
            paid = getattr(item.paid, component)
            assert 0 <= paid <= due
            assert getattr(item.outstanding, component) == due - paid >= 0
    assert (result.dpd == 0) == (not any(item.is_overdue for item in result.installments))


@settings(max_examples=200, deadline=None)
@given(loans(), st.randoms(use_true_random=False))
def test_the_order_payments_arrive_in_does_not_matter(case, rng) -> None:  # type: ignore[no-untyped-def]
    _, schedule, terms, payments, as_of = case
    shuffled = list(payments)
    rng.shuffle(shuffled)

    assert replay(installments=schedule, payments=payments, terms=terms, as_of=as_of) == replay(
        installments=schedule, payments=shuffled, terms=terms, as_of=as_of
    )


@settings(max_examples=150, deadline=None)
@given(loans())
def test_payments_dated_after_the_business_date_change_nothing(case) -> None:  # type: ignore[no-untyped-def]
    _, schedule, terms, payments, as_of = case
    known = [p for p in payments if p.paid_on <= as_of]

    assert replay(installments=schedule, payments=payments, terms=terms, as_of=as_of) == replay(
        installments=schedule, payments=known, terms=terms, as_of=as_of
    )


@settings(max_examples=300, deadline=None)
@given(loans())
def test_the_replay_agrees_with_a_day_by_day_walk_of_the_rules(case) -> None:  # type: ignore[no-untyped-def]
    _, schedule, terms, payments, as_of = case

    fast = replay(installments=schedule, payments=payments, terms=terms, as_of=as_of)
    slow = daily_replay(schedule, payments, terms, as_of)

    assert fast.dpd == slow.dpd
    assert fast.credit_balance == slow.credit
    assert fast.penalty_accrued == slow.penalty_accrued
    assert [item.paid.as_dict() for item in fast.installments] == slow.paid
