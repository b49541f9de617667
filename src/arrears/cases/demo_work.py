"""The demo department's recent work, recorded through the same services people use: calls
with their outcomes and reasons, promises (one due today, one already broken), a repayment
plan and a waiver waiting for the team lead. Only ``arrears demo`` calls this."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from arrears.cases.models import CollectionCase
from arrears.cases.plan_services import plan_request
from arrears.cases.services import activity_record
from arrears.cases.settlement_services import settlement_request
from arrears.compliance.selectors import holds_on
from arrears.portfolio.models import LoanParty
from arrears.portfolio.selectors import loan_state


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _cases_of(username: str) -> list[CollectionCase]:
    return list(
        CollectionCase.objects.filter(assignee__username=username, status="open")
        .select_related("loan", "assignee")
        .order_by("loan__loan_id")
    )


def _borrower(case: CollectionCase) -> LoanParty | None:
    return (
        LoanParty.objects.filter(loan_id=case.loan_id, role="borrower")
        .select_related("party")
        .first()
    )


def _call(case: CollectionCase, day: date, hour: int, outcome: str, **extra: object) -> None:
    borrower = _borrower(case)
    if borrower is None or case.assignee is None:
        return
    point = borrower.party.contact_points.filter(kind="phone").first()
    reached = "nobody" if outcome in ("no_answer", "busy", "wrong_number") else "borrower"
    activity_record(
        case=case,
        party=borrower.party,
        contact_point=point,
        channel="call",
        party_reached=reached,
        outcome=outcome,
        by=case.assignee,
        at=datetime.combine(day, time(hour, 15), _zone()),
        on=day,
        **extra,  # type: ignore[arg-type]
    )


def demo_early_promise(*, day: date) -> None:
    """A promise made early in the demo week and due two days later: the cycle finds it
    broken, so it heads collector1's queue."""
    cases = _cases_of("collector1")
    if cases:
        _call(
            cases[-1],
            day,
            10,
            "promise",
            reason="forgot",
            notes="客户称忘记还款日，承诺两日内还清当期",
            promise_amount=min(case_overdue(cases[-1], day), 3_000_00),
            promise_due_on=day + timedelta(days=2),
            promise_tolerance_days=0,
        )


def case_overdue(case: CollectionCase, on: date) -> int:
    """The case's overdue total as of ``on`` (at least 1 yuan, for a promise amount)."""
    state = loan_state(case.loan, as_of=on)
    return max(state.overdue.total, 100)


def demo_recent_work(*, day: date) -> None:
    """Yesterday's calls by the two collectors, a promise due today, and what waits for the
    lead: a twelve-month plan (beyond a collector's six) and an interest waiver."""
    first, second = _cases_of("collector1"), _cases_of("collector2")
    if first:
        _call(
            first[0],
            day,
            9,
            "promise",
            reason="cash_flow",
            notes="经营周转困难，月底回款后先还一部分",
            promise_amount=min(case_overdue(first[0], day), 2_000_00),
            promise_due_on=day + timedelta(days=1),
        )
    if len(first) > 1:
        _call(first[1], day, 10, "no_answer")
    if len(first) > 2:
        _call(first[2], day, 11, "hardship", reason="unemployment_or_illness", notes="家人住院")
        overdue = case_overdue(first[2], day)
        plan_request(
            case=first[2],
            by=first[2].assignee,  # type: ignore[arg-type]
            total=overdue,
            down_payment=overdue * 3 // 10,
            installments=12,
            start_on=day + timedelta(days=30),
            on=day,
            reason="家人住院，收入中断；首付三成，余款十二期",
        )
    if second:
        _call(second[0], day, 14, "right_party", reason="market", notes="生意受市场影响")
        # The lead's desk always has a waiver to decide: on the first of collector2's cases
        # that owes interest (on some days the first owes only a bullet loan's principal).
        for case in second:
            owed = loan_state(case.loan, as_of=day).overdue
            if owed.interest > 0:
                settlement_request(
                    case=case,
                    by=case.assignee,  # type: ignore[arg-type]
                    waive_interest=min(owed.interest, 300_00),
                    waive_penalty=owed.penalty,
                    reason="客户一次性结清当期欠款，申请减免罚息和部分利息",
                    on=day,
                )
                break
    # A wrong number, on a case no hold protects: the demo's dispute may be on collector2's.
    free = [case for case in second[1:] if not _held(case)]
    if free:
        _call(free[0], day, 15, "wrong_number")


def _held(case: CollectionCase) -> bool:
    borrower = _borrower(case)
    return borrower is not None and bool(
        holds_on(loan_id=case.loan_id, party_ids=[borrower.party_id])
    )
