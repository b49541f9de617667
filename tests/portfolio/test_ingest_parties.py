"""Extra parties: co-borrowers, guarantors and emergency contacts linked to loans."""

from __future__ import annotations

from pathlib import Path

import pytest

from arrears.portfolio.models import Creditor, LoanParty, Party
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, valid_id, write_csv

pytestmark = pytest.mark.django_db


def party_row(
    loan_id: str, role: str, name: str, id_number: str = "", phone: str = ""
) -> dict[str, str]:
    return {
        "loan_id": loan_id,
        "role": role,
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "email": "",
        "address": "",
    }


@pytest.fixture
def loan(creditor: Creditor, tmp_path: Path) -> None:
    tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [loan_row("L1")])
    )


def test_parties_are_linked_in_their_roles_and_a_second_import_changes_nothing(
    creditor: Creditor, loan: None, tmp_path: Path
) -> None:
    tape = write_csv(
        tmp_path / "parties.csv",
        [
            party_row("L1", "担保人", "李四", valid_id(), "13900000001"),
            party_row("L1", "紧急联系人", "王五", phone="13900000002"),
            party_row("L1", "co_borrower", "赵六", valid_id()),
        ],
    )

    first = tape_ingest(creditor=creditor, kind="parties", path=tape)
    second = tape_ingest(creditor=creditor, kind="parties", path=tape)

    assert (first.created, first.rejected) == (3, 0)
    assert (second.unchanged, second.created) == (3, 0)
    assert sorted(LoanParty.objects.values_list("role", "party__name")) == [
        ("borrower", "张三"),
        ("co_borrower", "赵六"),
        ("contact_person", "王五"),
        ("guarantor", "李四"),
    ]
    assert Party.objects.filter(name="王五").count() == 1


def test_a_party_on_an_unknown_loan_is_rejected_and_the_others_kept(
    creditor: Creditor, loan: None, tmp_path: Path
) -> None:
    tape = write_csv(
        tmp_path / "parties.csv",
        [
            party_row("NOPE", "guarantor", "李四", valid_id()),
            party_row("L1", "guarantor", "钱七", valid_id()),
        ],
    )

    result = tape_ingest(creditor=creditor, kind="parties", path=tape)

    assert (result.created, result.rejected) == (1, 1)
    assert "'NOPE' is not in the portfolio" in Path(str(result.rejects_file)).read_text(
        encoding="utf-8-sig"
    )


def test_the_same_person_on_two_loans_is_one_party(creditor: Creditor, tmp_path: Path) -> None:
    person = valid_id()
    tape_ingest(
        creditor=creditor,
        kind="loans",
        path=write_csv(
            tmp_path / "l.csv",
            [loan_row("L1", borrower_id_number=person), loan_row("L2", borrower_id_number=person)],
        ),
    )

    assert Party.objects.filter(id_number=person).count() == 1
    assert LoanParty.objects.filter(party__id_number=person).count() == 2
