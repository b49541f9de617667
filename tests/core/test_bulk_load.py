"""Bulk loading writes every row once, whatever its count against the rows per statement,
and a row it writes reads back as one the ORM wrote (dates and time stamps included)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone

from arrears.core.bulk_load import SQLITE_VARIABLES, DateText, bulk_load, db_stamp
from arrears.portfolio.models import Creditor, Loan, Payment

COLUMNS = ["name", "kind", "created_at", "updated_at"]
PER_STATEMENT = SQLITE_VARIABLES // len(COLUMNS)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [0, 1, PER_STATEMENT, 2 * PER_STATEMENT + 7])
def test_every_row_is_written_once_and_reads_back_as_written(count: int) -> None:
    now = timezone.now()
    stamp = db_stamp(now)

    with transaction.atomic():
        written = bulk_load(
            Creditor._meta.db_table,
            COLUMNS,
            ((f"债权人{n}", "lender", stamp, stamp) for n in range(count)),
        )

    assert written == count
    assert sorted(Creditor.objects.values_list("name", flat=True)) == sorted(
        f"债权人{n}" for n in range(count)
    )
    assert all(c.created_at == now and c.updated_at == now for c in Creditor.objects.all())


@pytest.mark.django_db
def test_a_date_written_as_text_reads_back_as_the_date() -> None:
    creditor = Creditor.objects.create(name="甲")
    loan = Loan.objects.create(
        creditor=creditor,
        loan_id="C1",
        principal=1_000_00,
        annual_rate="0.12",
        term_months=1,
        repayment_method="bullet",
        disbursed_on=date(2026, 1, 1),
        penalty_rate="0.18",
    )
    day, now = DateText(), db_stamp(timezone.now())

    with transaction.atomic():
        bulk_load(
            Payment._meta.db_table,
            ["creditor_id", "loan_id", "payment_id", "paid_on", "amount", "channel",
             "created_at", "updated_at"],
            [(creditor.pk, loan.pk, "P1", day(date(2026, 3, 31)), 100, "bank", now, now)],
        )  # fmt: skip

    assert Payment.objects.get(payment_id="P1").paid_on == date(2026, 3, 31)
