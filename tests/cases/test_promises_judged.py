"""The daily cycle judges promises to pay: kept once the payments since the promise reach its
amount in time, broken the day after its due date plus tolerance, never judged twice."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.cases.batch import promises_judge
from arrears.cases.models import CollectionCase, Promise
from arrears.cycle.choices import STEPS
from arrears.cycle.models import CycleStep
from arrears.cycle.runner import cycle_run
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, payment_row, write_csv

pytestmark = pytest.mark.django_db

MADE = date(2026, 3, 2)
DUE = date(2026, 3, 5)  # tolerance 2 days: the last day to pay is 7 March


@pytest.fixture
def case(creditor: Creditor, tmp_path: Path) -> CollectionCase:
    """An M1 case (first installment due 2026-02-28, unpaid) opened by the cycle."""
    tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [loan_row("P1")])
    )
    cycle_run(on=date(2026, 3, 1))
    return CollectionCase.objects.get(loan__loan_id="P1")


def promise(case: CollectionCase, amount: int = 500_000, **fields: object) -> Promise:
    collector = User.objects.get_or_create(username="c1", defaults={"role": Role.COLLECTOR})[0]
    values: dict[str, object] = {
        "case": case,
        "loan_id": case.loan_id,
        "party_id": case.loan.loan_parties.get(role="borrower").party_id,
        "amount": amount,
        "made_on": MADE,
        "due_on": DUE,
        "tolerance_days": 2,
        "by": collector,
    }
    values.update(fields)
    return Promise.objects.create(**values)


def pay(creditor: Creditor, tmp_path: Path, *payments: tuple[str, str]) -> None:
    """Payments on loan P1: (paid on, amount in yuan)."""
    rows = [
        payment_row(f"T{len(list(tmp_path.iterdir()))}-{n}", "P1", day, amount)
        for n, (day, amount) in enumerate(payments)
    ]
    name = f"pay{len(list(tmp_path.iterdir()))}.csv"
    tape_ingest(creditor=creditor, kind="payments", path=write_csv(tmp_path / name, rows))


def judge(on: date) -> int:
    loan = Loan.objects.get(loan_id="P1")
    return promises_judge(first=loan.pk, last=loan.pk, on=on)


def state(p: Promise) -> tuple[str, int, date | None]:
    p.refresh_from_db()
    return p.status, p.paid, p.resolved_on


def test_commitments_are_judged_right_after_the_cases_step() -> None:
    assert STEPS[STEPS.index("cases") + 1] == "commitments"


def test_a_payment_in_time_keeps_the_promise_in_the_cycle(
    case: CollectionCase, creditor: Creditor, tmp_path: Path
) -> None:
    kept = promise(case)
    pay(creditor, tmp_path, ("2026-03-04", "5,000.00"))

    cycle_run(on=date(2026, 3, 4))

    assert state(kept) == ("kept", 500_000, date(2026, 3, 4))
    assert CycleStep.objects.filter(name="commitments", run__business_date="2026-03-04").exists()


def test_no_payment_breaks_the_promise_the_day_after_due_date_plus_tolerance(
    case: CollectionCase,
) -> None:
    broken = promise(case)

    cycle_run(on=date(2026, 3, 7))
    assert state(broken) == ("open", 0, None)

    cycle_run(on=date(2026, 3, 8))
    assert state(broken) == ("broken", 0, date(2026, 3, 8))


def test_partial_payments_add_up_to_keep_the_promise(
    case: CollectionCase, creditor: Creditor, tmp_path: Path
) -> None:
    kept = promise(case)
    pay(creditor, tmp_path, ("2026-03-03", "2,000.00"), ("2026-03-06", "3,000.00"))

    judge(date(2026, 3, 3))
    assert state(kept) == ("open", 200_000, None)

    judge(date(2026, 3, 6))
    assert state(kept) == ("kept", 500_000, date(2026, 3, 6))


def test_a_short_payment_breaks_the_promise_and_a_late_one_does_not_count(
    case: CollectionCase, creditor: Creditor, tmp_path: Path
) -> None:
    short = promise(case)
    pay(creditor, tmp_path, ("2026-03-04", "2,000.00"), ("2026-03-09", "3,000.00"))

    judge(date(2026, 3, 9))

    assert state(short) == ("broken", 200_000, date(2026, 3, 9))


def test_a_payment_before_the_promise_was_made_does_not_count(
    case: CollectionCase, creditor: Creditor, tmp_path: Path
) -> None:
    later = promise(case, made_on=date(2026, 3, 3))
    pay(creditor, tmp_path, ("2026-03-02", "5,000.00"))

    judge(date(2026, 3, 8))

    assert state(later) == ("broken", 0, date(2026, 3, 8))


def test_judging_a_date_again_changes_nothing(
    case: CollectionCase, creditor: Creditor, tmp_path: Path
) -> None:
    kept, broken = promise(case), promise(case, due_on=date(2026, 3, 2), tolerance_days=0)
    waiting = promise(case, amount=900_000, due_on=date(2026, 3, 20))
    pay(creditor, tmp_path, ("2026-03-04", "5,000.00"))
    cycle_run(on=date(2026, 3, 4))
    before = [
        (p.status, p.paid, p.resolved_on, p.updated_at) for p in Promise.objects.order_by("id")
    ]
    assert [b[:3] for b in before] == [
        ("kept", 500_000, date(2026, 3, 4)),
        ("broken", 0, date(2026, 3, 4)),
        ("open", 500_000, None),
    ]

    assert judge(date(2026, 3, 4)) == 0
    cycle_run(on=date(2026, 3, 4))

    after = [
        (p.status, p.paid, p.resolved_on, p.updated_at) for p in Promise.objects.order_by("id")
    ]
    assert after == before
    assert {kept.pk, broken.pk, waiting.pk} == {p.pk for p in Promise.objects.all()}


def test_a_partition_judges_only_its_own_loans(case: CollectionCase) -> None:
    broken = promise(case)

    written = promises_judge(
        first=case.loan_id + 1, last=case.loan_id + 1000, on=DUE + timedelta(days=10)
    )

    assert written == 0 and state(broken) == ("open", 0, None)
