"""The pure claim calculator: it restates the ledger's replay to the fen, itemises it so the
lines add up, and measures the charges against the ceiling a court supports (no database)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.legal.calculations.caps import cap_rule, lpr_table
from arrears.legal.calculations.claim import (
    COMPONENT_ORDER,
    Claim,
    CostIn,
    claim_calculate,
    penalty_segments,
    principal_fen_days,
    principal_reductions,
)
from arrears.portfolio.calculations.allocation import (
    LoanState,
    LoanTerms,
    PaymentIn,
    WaiverIn,
    replay,
)
from arrears.portfolio.calculations.schedule import ScheduledInstallment, build_schedule

DISBURSED = date(2026, 1, 1)
# One bullet installment: 100,000.00 principal and 30 days of interest at 24 % (2,000.00).
BULLET = [ScheduledInstallment(1, date(2026, 1, 31), 10_000_000, 200_000, 0)]
# A random loan: its schedule, terms, payments, waivers and claim date.
Case = tuple[list[ScheduledInstallment], LoanTerms, list[PaymentIn], list[WaiverIn], date]
THREE = [
    ScheduledInstallment(1, date(2026, 2, 1), 100_000, 10_000, 500),
    ScheduledInstallment(2, date(2026, 3, 1), 100_000, 9_000, 500),
    ScheduledInstallment(3, date(2026, 4, 1), 100_000, 8_000, 500),
]


def claim_of(
    schedule: list[ScheduledInstallment],
    *,
    as_of: date,
    penalty_rate: str = "0.18",
    payments: tuple[PaymentIn, ...] = (),
    waivers: tuple[WaiverIn, ...] = (),
    lender_type: str = "financial_institution",
    accelerate: bool = False,
    costs: tuple[CostIn, ...] = (),
    grace_days: int = 0,
) -> tuple[Claim, LoanState]:
    terms = LoanTerms(penalty_rate=Decimal(penalty_rate), grace_days=grace_days)
    state = replay(
        installments=schedule, payments=payments, terms=terms, as_of=as_of, waivers=waivers
    )
    claim = claim_calculate(
        loan_id="L1",
        state=state,
        terms=terms,
        disbursed_on=DISBURSED,
        costs=costs,
        cap_rule=cap_rule(lender_type, contract_on=DISBURSED),
        accelerate=accelerate,
    )
    return claim, state


def component_sums(claim: Claim) -> dict[str, int]:
    return {
        name: sum(line.amount for line in claim.lines if line.component == name)
        for name in COMPONENT_ORDER
    }


def test_thirty_days_of_penalty_on_unpaid_principal_is_itemised_as_one_line() -> None:
    claim, _ = claim_of(BULLET, as_of=date(2026, 3, 2), penalty_rate="0.36")

    (line,) = [line for line in claim.lines if line.component == "penalty"]
    assert (line.period_from, line.period_to, line.days) == (
        date(2026, 2, 1),
        date(2026, 3, 2),
        30,
    )
    assert (line.base, line.rate, line.amount) == (10_000_000, Decimal("0.36"), 300_000)
    assert line.label == "第1期罚息（逾期本金100000.00元）"
    assert (claim.principal, claim.interest, claim.penalty, claim.total) == (
        10_000_000,
        200_000,
        300_000,
        10_500_000,
    )


def test_a_part_payment_splits_the_penalty_where_the_unpaid_principal_changed() -> None:
    # Day 10 after due: 1,000.00 paid, 10.00 + 25.00 penalty + ... go first (fees, penalty,
    # interest), the rest to principal, which from that very day accrues on less.
    pay = (PaymentIn("P1", date(2026, 2, 11), 100_000),)
    claim, state = claim_of(THREE, as_of=date(2026, 2, 20), payments=pay)

    segments = [line for line in claim.lines if line.component == "penalty" and line.days]
    assert [(s.period_from, s.period_to, s.days) for s in segments] == [
        (date(2026, 2, 2), date(2026, 2, 10), 9),
        (date(2026, 2, 11), date(2026, 2, 20), 10),
    ]
    paid = state.installments[0].paid
    assert segments[1].base == 100_000 - paid.principal
    assert claim.penalty == state.installments[0].outstanding.penalty


def test_a_penalty_rounded_once_per_installment_shows_a_rounding_line() -> None:
    # 0.18 / 360 = 0.0005 a fen-day: 3,000 fen-days twice is 1.5 + 1.5 fen, rounded one by
    # one 2 + 2, but the ledger rounds the 6,000 fen-days once: 3 fen.
    schedule = [ScheduledInstallment(1, date(2026, 1, 31), 1_000, 0, 0)]
    pay = (PaymentIn("P1", date(2026, 2, 4), 502),)  # 2 fen penalty, 500 principal
    claim, state = claim_of(schedule, as_of=date(2026, 2, 9), payments=pay)

    lines = [(line.label, line.amount) for line in claim.lines if line.component == "penalty"]
    assert lines == [
        ("第1期罚息（逾期本金10.00元）", 2),
        ("第1期罚息（逾期本金5.00元）", 2),
        ("第1期罚息尾差（逐日累计后一次四舍五入）", -1),
        ("第1期已还罚息", -2),
    ]
    assert claim.penalty == state.installments[0].outstanding.penalty == 1


def test_a_waived_penalty_and_principal_are_shown_and_leave_the_ledger_figure() -> None:
    waive = (WaiverIn("S1", date(2026, 3, 10), principal=20_000, penalty=100),)
    claim, state = claim_of(THREE, as_of=date(2026, 3, 20), waivers=waive)

    assert "第1期已减免罚息" in [line.label for line in claim.lines]
    # Waived principal stops accruing the day after the waiver.
    first = [line for line in claim.lines if line.label.startswith("第1期罚息（")]
    assert first[0].period_to == date(2026, 3, 10)
    assert first[1].period_from == date(2026, 3, 11)
    assert first[1].base == 80_000
    assert claim.penalty == sum(item.outstanding.penalty for item in state.installments)
    assert claim.principal == state.principal_outstanding == 280_000


def test_principal_not_yet_due_is_claimed_as_the_contract_balance_or_accelerated() -> None:
    on = date(2026, 2, 15)
    plain, _ = claim_of(THREE, as_of=on)
    accelerated, _ = claim_of(THREE, as_of=on, accelerate=True)

    labels = [line.label for line in plain.lines if line.component == "principal"]
    assert labels == [
        "第1期到期未还本金",
        "第2期未到期本金（2026-03-01到期，按合同余额主张）",
        "第3期未到期本金（2026-04-01到期，按合同余额主张）",
    ]
    third = [line for line in accelerated.lines if line.component == "principal"][2]
    assert third.label == "第3期本金（原定2026-04-01到期，宣布提前到期）"
    assert third.period_to == on
    assert accelerated.accelerated and not plain.accelerated
    assert (plain.principal, plain.total) == (accelerated.principal, accelerated.total)
    assert (plain.principal_fallen_due, plain.principal_not_yet_due) == (100_000, 200_000)


def test_interest_and_fees_are_claimed_only_for_installments_fallen_due() -> None:
    claim, _ = claim_of(THREE, as_of=date(2026, 3, 1))

    assert claim.interest == 19_000
    assert claim.fees == 1_000
    interest = [line for line in claim.lines if line.component == "interest"]
    assert [(line.label, line.base, line.amount) for line in interest] == [
        ("第1期未还利息", 10_000, 10_000),
        ("第2期未还利息", 9_000, 9_000),
    ]


def test_recoverable_costs_join_the_total_one_line_each() -> None:
    costs = (
        CostIn("律师费（案件#1）", date(2026, 2, 10), 300_000),
        CostIn("案件受理费（案件#1）", date(2026, 2, 5), 5_000),
    )
    claim, _ = claim_of(THREE, as_of=date(2026, 2, 15), costs=costs)

    lines = [(line.label, line.amount) for line in claim.lines if line.component == "costs"]
    assert lines == [("案件受理费（案件#1）", 5_000), ("律师费（案件#1）", 300_000)]
    assert claim.costs == 305_000
    assert claim.cap.claimed_charges == claim.interest + claim.fees + claim.penalty


def test_money_held_as_credit_is_deducted_from_the_total() -> None:
    pay = (PaymentIn("P1", date(2026, 1, 15), 50_000),)
    claim, state = claim_of(THREE, as_of=date(2026, 1, 20), payments=pay)

    assert state.credit_balance == 50_000
    assert claim.credit == 50_000
    assert claim.total == 300_000 - 50_000
    assert [line.amount for line in claim.lines if line.component == "credit"] == [-50_000]


def test_a_bank_loan_under_24_percent_keeps_every_charge() -> None:
    claim, _ = claim_of(BULLET, as_of=date(2026, 3, 2), penalty_rate="0.18")

    # 60 days × 100,000.00 × 24 % / 360 = 4,000.00 allowed; 2,000 + 1,500 claimed.
    assert claim.cap.annual_rate == Decimal("0.24")
    assert claim.cap.principal_fen_days == 60 * 10_000_000
    assert claim.cap.allowance == 400_000
    assert claim.cap.claimed_charges == 350_000
    assert claim.cap.reduction == 0
    assert claim.cap.total_supportable == claim.total


def test_a_bank_loan_over_24_percent_is_reduced_to_the_ceiling() -> None:
    claim, _ = claim_of(BULLET, as_of=date(2026, 3, 2), penalty_rate="0.36")

    assert claim.cap.claimed_charges == 500_000  # 2,000 interest + 3,000 penalty
    assert claim.cap.supportable_charges == 400_000
    assert claim.cap.reduction == 100_000
    assert claim.cap.total_supportable == 10_400_000
    assert "法发〔2017〕22号" in claim.cap.rule


def test_charges_already_paid_use_up_the_allowance() -> None:
    pay = (PaymentIn("P1", date(2026, 1, 31), 200_000),)  # the interest, on time
    claim, _ = claim_of(BULLET, as_of=date(2026, 3, 2), penalty_rate="0.36", payments=pay)

    assert claim.cap.charges_paid == 200_000
    assert claim.cap.supportable_charges == 400_000 - 200_000
    assert claim.cap.reduction == 300_000 - 200_000


def test_private_lending_is_capped_at_four_times_the_lpr_of_the_contract_date() -> None:
    claim, _ = claim_of(BULLET, as_of=date(2026, 3, 2), penalty_rate="0.18", lender_type="private")

    assert claim.cap.lpr == Decimal("0.0300")
    assert claim.cap.annual_rate == Decimal("0.12")
    assert claim.cap.allowance == 200_000  # 60 days × 100,000.00 × 12 % / 360
    assert claim.cap.reduction == 350_000 - 200_000
    assert "法释〔2020〕17号" in claim.cap.rule


def test_the_lpr_in_force_on_a_contract_date() -> None:
    table = lpr_table()

    assert table.on(date(2019, 8, 19)) == (Decimal("0.0435"), None)
    assert table.on(date(2019, 8, 20)) == (Decimal("0.0425"), date(2019, 8, 20))
    assert table.on(date(2022, 8, 21))[0] == Decimal("0.0370")
    assert table.on(date(2024, 10, 21))[0] == Decimal("0.0310")
    assert table.on(date(2025, 5, 19))[0] == Decimal("0.0310")
    assert table.on(date(2026, 8, 31))[0] == Decimal("0.0300")
    assert cap_rule("private", contract_on=date(2021, 1, 1)).annual_rate == Decimal("0.1540")


def test_local_financial_organisations_get_the_24_percent_ceiling() -> None:
    rule = cap_rule("local_financial", contract_on=DISBURSED)

    assert rule.annual_rate == Decimal("0.24")
    assert "法释〔2020〕27号" in rule.rule


def test_principal_days_count_the_first_day_and_not_the_day_of_repayment() -> None:
    pay = (PaymentIn("P1", date(2026, 1, 31), 5_200_000),)  # interest, then 50,000.00
    _, state = claim_of(BULLET, as_of=date(2026, 2, 10), payments=pay)

    # 2026-01-01 .. 01-30 on 100,000.00 (30 days), 01-31 .. 02-08 on 50,000.00 (9 days):
    # the claim date 02-09 itself does not count.
    assert principal_fen_days(state, disbursed_on=DISBURSED, as_of=date(2026, 2, 9)) == (
        30 * 10_000_000 + 9 * 5_000_000
    )


@st.composite
def portfolios(draw: st.DrawFn) -> Case:
    method = draw(st.sampled_from(["annuity", "equal_principal", "interest_only", "bullet"]))
    principal = draw(st.integers(100, 10**9))
    term = draw(st.integers(1, 12))
    schedule = build_schedule(
        principal=principal,
        annual_rate=Decimal(draw(st.integers(0, 3600))) / 10000,
        term_months=term,
        method=method,
        disbursed_on=DISBURSED,
    )
    terms = LoanTerms(
        penalty_rate=Decimal(draw(st.integers(0, 5400))) / 10000,
        grace_days=draw(st.sampled_from([0, 3])),
        day_count=draw(st.sampled_from([360, 365])),
    )
    horizon = (schedule[-1].due_on - DISBURSED).days + 120
    day = st.integers(0, horizon).map(lambda d: DISBURSED + timedelta(days=d))
    typical = max(principal // term, 2)
    payments = draw(
        st.lists(
            st.builds(
                PaymentIn,
                key=st.text("ABCDEF0123", min_size=1, max_size=4),
                paid_on=day,
                amount=st.integers(1, typical * 2),
            ),
            max_size=8,
            unique_by=lambda p: p.key,
        )
    )
    amount = st.integers(0, typical)
    waivers = draw(
        st.lists(
            st.builds(
                WaiverIn,
                key=st.text("STUV", min_size=1, max_size=3),
                waived_on=day,
                principal=amount,
                interest=amount,
                fees=st.just(0),
                penalty=amount,
            ),
            max_size=3,
            unique_by=lambda w: w.key,
        )
    )
    return schedule, terms, payments, waivers, draw(day)


@settings(max_examples=300, deadline=None)
@given(portfolios())
def test_any_claim_restates_the_ledger_to_the_fen_and_its_lines_add_up(
    case: Case,
) -> None:
    schedule, terms, payments, waivers, as_of = case
    state = replay(
        installments=schedule, payments=payments, terms=terms, as_of=as_of, waivers=waivers
    )
    claim = claim_calculate(
        loan_id="P",
        state=state,
        terms=terms,
        disbursed_on=DISBURSED,
        costs=(),
        cap_rule=cap_rule("private", contract_on=DISBURSED),
    )

    reductions = principal_reductions(state)
    for item in state.installments:
        segments = penalty_segments(
            item, reductions.get(item.seq, ()), grace_days=terms.grace_days, as_of=as_of
        )
        assert sum(s.base * s.days for s in segments) == item.penalty_fen_days
    fallen_due = [item for item in state.installments if item.due_on <= as_of]
    assert claim.principal == state.principal_outstanding
    assert claim.interest == sum(item.outstanding.interest for item in fallen_due)
    assert claim.fees == sum(item.outstanding.fees for item in fallen_due)
    assert claim.penalty == sum(item.outstanding.penalty for item in state.installments)
    sums = component_sums(claim)
    assert sums["principal"] == claim.principal
    assert sums["interest"] == claim.interest
    assert sums["fees"] == claim.fees
    assert sums["penalty"] == claim.penalty
    assert sums["credit"] == -claim.credit
    assert claim.total == sum(line.amount for line in claim.lines)
    assert 0 <= claim.cap.reduction <= claim.cap.claimed_charges
