"""The score's features on a hand-built history: what a snapshot knows is what was known on
its day — payments, promises and contacts before it count, later ones do not — and the
label is the cash of the 30 days after it against the overdue instalment."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from arrears.accounts.models import User
from arrears.cases.models import Activity, CollectionCase, Promise
from arrears.cycle.runner import cycle_run
from arrears.insights.scoring.features import (
    COLUMNS,
    LABEL_COLUMNS,
    feature_rows,
    history_snapshots,
    open_case_snapshots,
)
from arrears.portfolio.models import Creditor, Installment, LoanHistory, LoanPosition
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, payment_row, write_csv

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH_END = date(2026, 3, 31)


@pytest.fixture
def case(creditor: Creditor, tmp_path: Path) -> CollectionCase:
    """Loan F1 (first instalment due 28 February) paid 1,000 yuan on 10 March and nothing
    else by the month end; 20,000 yuan on 15 April, after the snapshot."""
    rows = [loan_row("F1", product="CARD")]
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", rows))
    payments = [
        payment_row("P1", "F1", "2026-03-10", "1,000.00"),
        payment_row("P2", "F1", "2026-04-15", "20,000.00"),
    ]
    tape_ingest(creditor=creditor, kind="payments", path=write_csv(tmp_path / "p.csv", payments))
    cycle_run(on=MONTH_END)
    return CollectionCase.objects.get(loan__loan_id="F1")


def contact(case: CollectionCase, by: User, at: datetime, **fields: str) -> None:
    values = {"party_reached": "borrower", "outcome": "right_party"} | fields
    Activity.objects.create(
        case=case,
        party_id=case.loan.loan_parties.get(role="borrower").party_id,
        channel="call",
        by=by,
        at=at,
        sha256="0" * 64,
        **values,
    )


def promise(case: CollectionCase, by: User, **fields: object) -> None:
    Promise.objects.create(
        case=case,
        loan_id=case.loan_id,
        party_id=case.loan.loan_parties.get(role="borrower").party_id,
        amount=100_000,
        by=by,
        **fields,
    )


def as_dict(row: tuple[Any, ...], *, labelled: bool = False) -> dict[str, Any]:
    """The row by column name, numbers as ints (PostgreSQL sums are Decimals)."""
    names = (*COLUMNS, *LABEL_COLUMNS) if labelled else COLUMNS
    return {
        name: int(value) if isinstance(value, int | float | Decimal) else value
        for name, value in zip(names, row, strict=True)
    }


def test_a_snapshot_counts_only_what_was_known_on_its_day(case: CollectionCase) -> None:
    me = User.objects.create_user("collector1", password=None, role="collector")
    contact(case, me, datetime(2026, 3, 25, 10, tzinfo=SHANGHAI))
    contact(case, me, datetime(2026, 3, 28, 11, tzinfo=SHANGHAI), outcome="refused")
    contact(case, me, datetime(2026, 3, 29, 9, tzinfo=SHANGHAI), party_reached="nobody",
            outcome="no_answer")  # fmt: skip
    contact(case, me, datetime(2026, 4, 2, 10, tzinfo=SHANGHAI))  # after: not counted
    contact(case, me, datetime(2025, 12, 1, 10, tzinfo=SHANGHAI))  # 90+ days before
    promise(case, me, made_on=date(2026, 3, 5), due_on=date(2026, 3, 8), status="broken",
            resolved_on=date(2026, 3, 9))  # fmt: skip
    promise(case, me, made_on=date(2026, 3, 20), due_on=date(2026, 3, 25), status="kept",
            resolved_on=date(2026, 3, 24))  # fmt: skip
    promise(case, me, made_on=date(2026, 3, 28), due_on=date(2026, 4, 5), status="broken",
            resolved_on=date(2026, 4, 6))  # open on the snapshot day  # fmt: skip
    promise(case, me, made_on=date(2026, 4, 1), due_on=date(2026, 4, 9))  # after: ignored

    (row,) = feature_rows(history_snapshots([MONTH_END]), with_label=True)

    stored = LoanHistory.objects.get(loan_id=case.loan_id, business_date=MONTH_END)
    features = as_dict(row, labelled=True)
    assert features == {
        "case_id": case.pk,
        "loan_id": case.loan_id,
        "day_no": MONTH_END.toordinal(),
        "dpd": stored.dpd,
        "overdue_total": stored.overdue_total,
        "principal_outstanding": stored.principal_outstanding,
        "age_days": 59,  # disbursed 31 January
        "product": "CARD",
        "segment": case.loan.guarantee_type,
        "days_since_payment": 21,  # paid 10 March
        "payments_90d": 1,
        "paid_90d": 100_000,
        "promises_kept": 1,
        "promises_broken": 1,  # the later broken one was still open on 31 March
        "promise_open": 1,
        "contacts_90d": 3,
        "right_party_90d": 2,
        "negative_90d": 1,
        "paid_next_30d": 2_000_000,
        "instalment_due": min(
            stored.overdue_total,
            sum(
                i.principal + i.interest + i.fees
                for i in Installment.objects.filter(loan_id=case.loan_id, due_on=MONTH_END)
            ),
        ),
    }
    assert stored.dpd == 31 and features["paid_next_30d"] >= features["instalment_due"]


def test_the_cycle_day_reads_the_same_features_as_the_stored_history(
    case: CollectionCase,
) -> None:
    """Training reads month ends from the history, the cycle reads today's positions: on a
    closed month end both say the same, so the model scores what it learnt from."""
    me = User.objects.create_user("collector1", password=None, role="collector")
    contact(case, me, datetime(2026, 3, 25, 10, tzinfo=SHANGHAI))
    promise(case, me, made_on=date(2026, 3, 28), due_on=date(2026, 4, 5))
    assert LoanPosition.objects.get(loan_id=case.loan_id).as_of == MONTH_END

    (from_history,) = feature_rows(history_snapshots([MONTH_END]))
    (from_today,) = feature_rows(
        open_case_snapshots(first=case.loan_id, last=case.loan_id, on=MONTH_END)
    )

    assert as_dict(from_today) == as_dict(from_history)


def test_a_loan_without_payments_counts_its_days_since_disbursement(
    creditor: Creditor, tmp_path: Path
) -> None:
    rows = [loan_row("F2")]
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", rows))
    cycle_run(on=MONTH_END)

    (row,) = feature_rows(history_snapshots([MONTH_END]), with_label=True)

    features = as_dict(row, labelled=True)
    assert features["days_since_payment"] == features["age_days"] == 59
    assert features["payments_90d"] == features["paid_next_30d"] == 0
