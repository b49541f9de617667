"""Validated rows cross from the reading process to the writing one pickled: every kind of
record arrives equal to what was sent, of its own type."""

from __future__ import annotations

import pickle
from datetime import date
from decimal import Decimal

import pytest

from arrears.portfolio.tape.records import (
    GuaranteeTerms,
    LoanRecord,
    PartyRecord,
    PartyRowRecord,
    PaymentRecord,
    RowResult,
)

BORROWER = PartyRecord("卢涛", "person", "resident_id", "440305199510078686", "+8618750951092")
RECORDS = [
    LoanRecord(
        loan_id="B1",
        borrower=BORROWER,
        principal=6_682_363,
        annual_rate=Decimal("0.154"),
        term_months=12,
        repayment_method="annuity",
        disbursed_on=date(2026, 4, 29),
        first_due_on=date(2026, 5, 29),
        penalty_rate=Decimal("0.231"),
        grace_days=3,
        product="CONSUMER",
        branch="深圳",
        guarantee_type="guarantee",
        guarantor=PartyRecord("某担保公司", "company", "uscc", "91440300MA5F000000"),
    ),
    PaymentRecord("P1", "B1", date(2026, 6, 1), 12_345, "bank"),
    PartyRowRecord("B1", "guarantor", BORROWER, GuaranteeTerms("general", None, 24)),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: type(record).__name__)
def test_a_row_and_its_record_survive_pickling(record: object) -> None:
    row = RowResult(7, {"loan_id": " B1 ", "principal": 66823.63}, record, ["a: reason"])

    back = pickle.loads(pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL))

    assert back == row
    assert type(back.record) is type(record)


def test_a_rejected_row_survives_pickling() -> None:
    row = RowResult(3, {"principal": "abc"}, None, ["principal: 'abc' is not an amount"])

    assert pickle.loads(pickle.dumps(row)) == row
