"""Guarantee terms from the parties tape (kind and agreed period, Chinese headers too),
their validation, and the ``guarantees`` list of ``arrears loan --json``."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from arrears.portfolio.models import Creditor, LoanParty
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, valid_id, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(creditor: Creditor, tmp_path: Path) -> None:
    """A 12-month loan disbursed 2026-01-31: its last installment falls due 2027-01-31."""
    path = write_csv(tmp_path / "loans.csv", [loan_row("L1", guarantee_type="保证")])
    tape_ingest(creditor=creditor, kind="loans", path=path)


def loan_json(loan_id: str) -> dict[str, object]:
    out = StringIO()
    call_command("loan", loan_id, "--as-of", "2026-12-01", "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def test_the_parties_tape_sets_each_guarantees_kind_and_period_and_the_json_shows_it(
    creditor: Creditor, loan: None, tmp_path: Path
) -> None:
    rows = [
        {"借据号": "L1", "角色": "保证人", "姓名": "李四", "证件号码": valid_id(),
         "保证方式": "一般保证", "保证期间": "24个月", "保证期间届满日": ""},
        {"借据号": "L1", "角色": "反担保人", "姓名": "王五", "证件号码": valid_id(),
         "保证方式": "", "保证期间": "", "保证期间届满日": "2029-03-31"},
        {"借据号": "L1", "角色": "担保人", "姓名": "钱七", "证件号码": valid_id(),
         "保证方式": "连带", "保证期间": "", "保证期间届满日": "直至还清"},
    ]  # fmt: skip

    result = tape_ingest(
        creditor=creditor, kind="parties", path=write_csv(tmp_path / "p.csv", rows)
    )

    assert (result.created, result.rejected) == (3, 0)
    shown = [
        {key: item[key] for key in ("party", "role", "kind", "period_ends_on", "status")}
        for item in loan_json("L1")["guarantees"]  # type: ignore[union-attr]
    ]
    assert shown == [
        {"party": "李四", "role": "guarantor", "kind": "general",
         "period_ends_on": "2029-01-31", "status": "running"},
        {"party": "王五", "role": "counter_guarantor", "kind": "joint",
         "period_ends_on": "2029-03-31", "status": "running"},
        # "Until repaid" is no agreement: six months from the last due date (2027-01-31).
        {"party": "钱七", "role": "guarantor", "kind": "joint",
         "period_ends_on": "2027-07-31", "status": "running"},
    ]  # fmt: skip


def test_a_second_import_changes_the_terms_and_a_file_without_them_keeps_them(
    creditor: Creditor, loan: None, tmp_path: Path
) -> None:
    person = valid_id()
    first = {"loan_id": "L1", "role": "guarantor", "name": "李四", "id_number": person,
             "guarantee_kind": "joint", "guarantee_period_months": "12"}  # fmt: skip
    tape_ingest(creditor=creditor, kind="parties", path=write_csv(tmp_path / "a.csv", [first]))

    changed = tape_ingest(
        creditor=creditor,
        kind="parties",
        path=write_csv(tmp_path / "b.csv", [{**first, "guarantee_kind": "general"}]),
    )
    bare = {key: first[key] for key in ("loan_id", "role", "name", "id_number")}
    tape_ingest(creditor=creditor, kind="parties", path=write_csv(tmp_path / "c.csv", [bare]))

    assert changed.updated == 1
    link = LoanParty.objects.get(role="guarantor")
    assert (link.guarantee_kind, link.guarantee_period_months) == ("general", 12)


def test_bad_guarantee_columns_are_rejected_with_every_reason(
    creditor: Creditor, loan: None, tmp_path: Path
) -> None:
    rows = [
        {"loan_id": "L1", "role": "guarantor", "name": "李四", "id_number": valid_id(),
         "guarantee_kind": "both", "guarantee_period_ends_on": "2029-01-01",
         "guarantee_period_months": "6"},
        {"loan_id": "L1", "role": "co_borrower", "name": "赵六", "id_number": valid_id(),
         "guarantee_kind": "joint", "guarantee_period_ends_on": "", "guarantee_period_months": ""},
    ]  # fmt: skip

    result = tape_ingest(
        creditor=creditor, kind="parties", path=write_csv(tmp_path / "p.csv", rows)
    )

    assert result.rejected == 2
    rejects = Path(str(result.rejects_file)).read_text(encoding="utf-8-sig")
    assert "guarantee_kind: 'both' is not one of joint/连带, general/一般" in rejects
    assert "give guarantee_period_ends_on or guarantee_period_months, not both" in rejects
    assert "only guarantor and counter_guarantor rows have a guarantee" in rejects


def test_a_guarantor_from_the_loans_tape_is_a_joint_guarantee_for_six_months(
    creditor: Creditor, tmp_path: Path
) -> None:
    row = loan_row("G2", guarantor_name="李四", guarantor_id_number=valid_id())
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [row]))

    (guarantee,) = loan_json("G2")["guarantees"]  # type: ignore[misc]

    assert guarantee["kind"] == "joint"
    assert guarantee["period_ends_on"] == "2027-07-31"
    assert guarantee["preserved_on"] is None
