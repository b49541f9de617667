"""Tape rows: every good row accepted, every bad row rejected with all its reasons."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from arrears.portfolio.tape import fields
from arrears.portfolio.tape.reading import PercentCell, open_tape
from arrears.portfolio.tape.validation import (
    validate_loan_rows,
    validate_party_rows,
    validate_payment_rows,
)
from tests.factories import loan_row, valid_id, write_csv

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "tapes"
METHODS = "annuity/等额本息, equal_principal/等额本金, interest_only/先息后本, bullet/到期还本付息"


def test_the_bad_rows_fixture_gives_exactly_these_rejects_and_keeps_every_good_row() -> None:
    results = list(validate_loan_rows(open_tape(FIXTURES / "loans_bad_rows_gbk.csv")))

    rejects = {row.row_number: row.errors for row in results if row.errors}
    accepted = [row.record.loan_id for row in results if not row.errors]
    assert rejects == {
        3: ["borrower_id_number: check digit is wrong (330106198603076141)"],
        4: ["principal: must be more than 0"],
        6: [f"repayment_method: '按季付息' is not one of {METHODS}"],
        7: ["annual_rate: '0.12' is ambiguous: write 12 for 12% a year, or 0.12% for 0.12%"],
        8: ["loan_id: 'GB001' appears again; first on row 2"],
        12: [
            "borrower_id_number: '12345' is neither an 18-digit ID card number nor a unified"
            " social credit code",
            "principal: 'abc' is not an amount in yuan",
            "annual_rate: '0.5' is ambiguous: write 50 for 50% a year, or 0.5% for 0.5%",
            "term_months: 700 is outside 1–600 months",
            f"repayment_method: 'monthly' is not one of {METHODS}",
            "disbursed_on: '2026-02-30' is not a calendar date",
            "borrower_phone: '12345' is not a mobile (11 digits) or landline number",
        ],
    }
    assert accepted == ["GB001", "GB006", "GB007", "GB009"]


def test_good_rows_are_read_into_exact_terms() -> None:
    records = {
        row.record.loan_id: row.record
        for row in validate_loan_rows(open_tape(FIXTURES / "loans_bad_rows_gbk.csv"))
        if row.record
    }

    first = records["GB001"]
    assert (first.principal, first.annual_rate, first.repayment_method) == (
        5_000_000,
        Decimal("0.12"),
        "annuity",
    )
    assert (first.borrower.name, first.borrower.phone, first.guarantee_type) == (
        "王伟",
        "+8613800138000",
        "credit",
    )
    guaranteed = records["GB006"]
    assert guaranteed.disbursed_on == date(2026, 1, 31)
    assert guaranteed.guarantor is not None and guaranteed.guarantor.name == "赵敏"
    company = records["GB007"]
    assert (company.borrower.kind, company.borrower.id_type) == ("company", "uscc")
    assert company.disbursed_on == date(2026, 2, 1)  # Excel serial 46054
    assert company.repayment_method == "bullet"
    assert records["GB009"].borrower.phone == "+8613112345678"


@pytest.mark.parametrize(
    ("cell", "rate"),
    [
        ("12", Decimal("0.12")),
        ("12%", Decimal("0.12")),
        ("12.5", Decimal("0.125")),
        ("0.5%", Decimal("0.005")),
        ("0", Decimal("0")),
        (PercentCell(0.154), Decimal("0.154")),
        (18, Decimal("0.18")),
    ],
)
def test_rates_are_read_as_percent(cell: object, rate: Decimal) -> None:
    assert fields.rate(cell) == rate


@pytest.mark.parametrize(
    ("cell", "reason"),
    [("0.12", "ambiguous"), ("120%", "above 100%"), ("twelve", "not a rate"), ("-3", "not a rate")],
)
def test_bad_rates_say_why(cell: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        fields.rate(cell)


def test_a_guarantor_without_a_valid_id_rejects_the_row(tmp_path: Path) -> None:
    tape = write_csv(
        tmp_path / "t.csv", [loan_row("L1", guarantor_name="李四", guarantor_phone="13900000000")]
    )

    (row,) = validate_loan_rows(open_tape(tape))

    assert row.errors == ["guarantor_id_number: is required"]


def test_a_first_due_date_must_follow_disbursement(tmp_path: Path) -> None:
    row = loan_row("L1")
    row["first_due_on"] = "2026-01-01"

    (result,) = validate_loan_rows(open_tape(write_csv(tmp_path / "t.csv", [row])))

    assert result.errors == [
        "first_due_on: 2026-01-01 is not after the disbursement date 2026-01-31"
    ]


def test_payment_rows_reject_a_repeated_id_with_other_content_but_not_a_true_repeat(
    tmp_path: Path,
) -> None:
    header = ["流水号", "借据号", "还款日期", "金额", "渠道"]
    rows = [
        dict(zip(header, values, strict=True))
        for values in (
            ["P1", "L1", "2026-03-05", "5,000.00", "微信"],
            ["P1", "L1", "2026-03-05", "5000", "微信"],
            ["P1", "L1", "2026-03-06", "5000", "微信"],
            ["P2", "L1", "2026-03-05", "0", ""],
        )
    ]

    results = list(validate_payment_rows(open_tape(write_csv(tmp_path / "p.csv", rows))))

    assert [row.errors for row in results] == [
        [],
        [],
        ["payment_id: 'P1' appears again with different content; first on row 2"],
        ["amount: must be more than 0"],
    ]
    assert results[0].record.amount == 500_000


def test_party_rows_need_an_id_for_liable_roles_but_not_for_an_emergency_contact(
    tmp_path: Path,
) -> None:
    rows = [
        {
            "loan_id": "L1",
            "role": "紧急联系人",
            "name": "王五",
            "id_number": "",
            "phone": "13900000002",
        },
        {"loan_id": "L1", "role": "担保人", "name": "李四", "id_number": "", "phone": ""},
        {"loan_id": "L1", "role": "借款人", "name": "张三", "id_number": valid_id(), "phone": ""},
        {"loan_id": "L1", "role": "boss", "name": "赵六", "id_number": valid_id(), "phone": ""},
    ]

    results = list(validate_party_rows(open_tape(write_csv(tmp_path / "p.csv", rows))))

    assert results[0].errors == [] and results[0].record.role == "contact_person"
    assert results[1].errors == ["id_number: is required"]
    assert results[2].errors[0].startswith("role: the borrower comes from the loans tape")
    assert results[3].errors[0].startswith("role: 'boss' is not one of")


@pytest.mark.parametrize(
    ("cell", "phone"),
    [
        ("138 0013 8000", "+8613800138000"),
        ("+86-138-0013-8000", "+8613800138000"),
        ("010-88886666", "+861088886666"),
    ],
)
def test_phones_are_normalised(cell: str, phone: str) -> None:
    assert fields.phone(cell) == phone


def test_one_id_number_with_two_names_in_a_file_rejects_the_later_row(tmp_path: Path) -> None:
    shared = valid_id()
    rows = [
        loan_row("L1", borrower_name="梁英明", borrower_id_number=shared),
        loan_row("L2", borrower_name="梁英明", borrower_id_number=shared),
        loan_row("L3", borrower_name="蔡琪", borrower_id_number=shared),
        loan_row("L4", guarantor_name="蔡琪", guarantor_id_number=shared),
    ]

    results = list(validate_loan_rows(open_tape(write_csv(tmp_path / "t.csv", rows))))

    assert [r.errors for r in results[:2]] == [[], []]  # one borrower, two loans: fine
    assert results[2].errors == [
        f"borrower_id_number: {shared} is 梁英明's on row 2, not 蔡琪's;"
        " correct the ID number or the name"
    ]
    assert results[3].errors == [
        f"guarantor_id_number: {shared} is 梁英明's on row 2, not 蔡琪's;"
        " correct the ID number or the name"
    ]


def test_a_borrower_cannot_guarantee_their_own_loan(tmp_path: Path) -> None:
    own = valid_id()
    row = loan_row("L1", borrower_id_number=own, guarantor_name="张三", guarantor_id_number=own)

    (result,) = validate_loan_rows(open_tape(write_csv(tmp_path / "t.csv", [row])))

    assert result.errors == ["guarantor_id_number: the guarantor is the borrower"]


def test_party_rows_also_keep_one_name_per_id_number(tmp_path: Path) -> None:
    shared = valid_id()
    rows = [
        {"loan_id": "L1", "role": "担保人", "name": "李四", "id_number": shared, "phone": ""},
        {"loan_id": "L2", "role": "担保人", "name": "李四", "id_number": shared, "phone": ""},
        {"loan_id": "L3", "role": "反担保人", "name": "李肆", "id_number": shared, "phone": ""},
    ]

    results = list(validate_party_rows(open_tape(write_csv(tmp_path / "p.csv", rows))))

    assert [r.errors for r in results[:2]] == [[], []]
    assert results[2].errors == [
        f"id_number: {shared} is 李四's on row 2, not 李肆's; correct the ID number or the name"
    ]
