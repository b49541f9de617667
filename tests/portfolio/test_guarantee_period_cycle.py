"""The guarantee period in the cycle: the flag 30 days before a guarantee ends, the
guaranteed-loan playbook's demand letter to the guarantor it plans, and a preserving
demand recorded with ``arrears limitation record --party`` that stops both."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.portfolio.models import Creditor, Loan, LoanParty
from arrears.portfolio.services import tape_ingest
from arrears.strategy.models import PlannedAction
from tests.factories import loan_row, payment_row, valid_id, valid_phone, write_csv

pytestmark = pytest.mark.django_db

# A one-month loan disbursed 2026-01-31 falls due 2026-02-28: with no agreed period each
# guarantee ends six months later, 2026-08-28, and is flagged from 2026-07-29 (T−30).
ENDS_ON = "2026-08-28"


def cycle(day: str) -> None:
    call_command("cycle", "--date", day, "--json", stdout=StringIO())


def loan_json(loan_id: str) -> dict[str, object]:
    out = StringIO()
    call_command("loan", loan_id, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@pytest.fixture
def guaranteed(creditor: Creditor, tmp_path: Path) -> Loan:
    """A one-month guaranteed loan, never paid, with a guarantor (loans tape) and a
    counter-guarantor (parties tape)."""
    row = loan_row(
        "G1",
        term_months="1",
        guarantee_type="担保",
        guarantor_name="李四",
        guarantor_id_number=valid_id(),
        guarantor_phone=valid_phone(),
    )
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [row]))
    parties = [
        {"loan_id": "G1", "role": "反担保人", "name": "王五", "id_number": valid_id()},
    ]
    tape_ingest(creditor=creditor, kind="parties", path=write_csv(tmp_path / "p.csv", parties))
    return Loan.objects.get(loan_id="G1")


def ending(loan: Loan) -> dict[str, bool]:
    return dict(
        LoanParty.objects.filter(
            loan=loan, role__in=["guarantor", "counter_guarantor"]
        ).values_list("role", "guarantee_ending")
    )


def demands(loan: Loan, day: str) -> set[tuple[str, str]]:
    return set(
        PlannedAction.objects.filter(
            loan=loan, business_date=day, type="guarantor_notice"
        ).values_list("target_role", "template")
    )


def test_the_cycle_flags_a_guarantee_30_days_before_it_ends_and_plans_the_demand_letter(
    guaranteed: Loan,
) -> None:
    cycle("2026-07-22")  # the case opens in the legal stage: stage day 1
    cycle("2026-07-28")  # T−31

    assert ending(guaranteed) == {"guarantor": False, "counter_guarantor": False}
    assert demands(guaranteed, "2026-07-28") == set()

    cycle("2026-07-29")  # T−30, stage day 8: the weekly rule's day

    assert ending(guaranteed) == {"guarantor": True, "counter_guarantor": True}
    assert demands(guaranteed, "2026-07-29") == {
        ("guarantor", "guarantor-demand"),
        ("counter_guarantor", "guarantor-demand"),
    }
    shown = {g["role"]: g for g in loan_json("G1")["guarantees"]}  # type: ignore[union-attr]
    assert shown["guarantor"]["period_ends_on"] == ENDS_ON
    assert shown["guarantor"]["status"] == "running"


def test_a_demand_recorded_inside_the_period_preserves_the_guarantee_and_clears_the_flag(
    guaranteed: Loan,
) -> None:
    guarantor = LoanParty.objects.get(loan=guaranteed, role="guarantor").party_id
    call_command(
        "limitation", "record", "G1", "--kind", "demand", "--on", "2026-07-20",
        "--evidence", "EMS 1098", "--party", str(guarantor), stdout=StringIO(),
    )  # fmt: skip

    cycle("2026-07-22")
    cycle("2026-07-29")

    assert ending(guaranteed) == {"guarantor": False, "counter_guarantor": True}
    assert demands(guaranteed, "2026-07-29") == {("counter_guarantor", "guarantor-demand")}
    shown = {g["role"]: g for g in loan_json("G1")["guarantees"]}  # type: ignore[union-attr]
    assert shown["guarantor"]["status"] == "preserved"
    assert shown["guarantor"]["preserved_on"] == "2026-07-20"
    assert shown["guarantor"]["limitation_ends_on"] == "2029-07-20"


def test_a_demand_after_the_period_leaves_the_guarantee_lapsed(guaranteed: Loan) -> None:
    call_command(
        "limitation", "record", "G1", "--kind", "demand", "--on", "2026-08-29",
        "--evidence", "EMS 2001", "--guarantors", stdout=StringIO(),
    )  # fmt: skip

    cycle("2026-09-01")

    shown = {g["role"]: g for g in loan_json("G1")["guarantees"]}  # type: ignore[union-attr]
    assert shown["guarantor"]["status"] == "lapsed"
    assert shown["guarantor"]["preserved_on"] is None
    assert ending(guaranteed) == {"guarantor": False, "counter_guarantor": False}


def test_a_demand_to_a_guarantor_does_not_restart_the_borrowers_limitation(
    guaranteed: Loan,
) -> None:
    cycle("2026-07-22")
    before = loan_json("G1")["limitation_expires_on"]
    call_command(
        "limitation", "record", "G1", "--kind", "demand", "--on", "2026-07-20",
        "--evidence", "EMS 1098", "--guarantors", stdout=StringIO(),
    )  # fmt: skip

    cycle("2026-07-23")

    assert loan_json("G1")["limitation_expires_on"] == before == "2029-02-28"


def test_a_party_that_is_not_a_guarantor_is_refused_in_one_line(guaranteed: Loan) -> None:
    borrower = LoanParty.objects.get(loan=guaranteed, role="borrower").party_id

    with pytest.raises(CommandError) as refused:
        call_command(
            "limitation", "record", "G1", "--kind", "demand", "--on", "2026-07-20",
            "--evidence", "EMS 1", "--party", str(borrower), stdout=StringIO(),
        )  # fmt: skip

    assert refused.value.returncode == 2
    assert str(refused.value) == f"party {borrower} is not a guarantor of loan G1"


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per guarantee the cycle's watch puts through the period calculation."""
    from arrears.portfolio.batch import guarantees

    calls: list[int] = []
    real = guarantees.guarantee_state

    def counting(**kwargs: object) -> object:
        calls.append(1)
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(guarantees, "guarantee_state", counting)
    return calls


def guaranteed_row(loan_id: str, term_months: str) -> dict[str, str]:
    return loan_row(
        loan_id,
        term_months=term_months,
        guarantee_type="担保",
        guarantor_name="赵六",
        guarantor_id_number=valid_id(),
        guarantor_phone=valid_phone(),
    )


def test_the_watch_judges_only_guarantees_whose_main_debt_ends_within_the_window(
    guaranteed: Loan, creditor: Creditor, tmp_path: Path, judged: list[int]
) -> None:
    """A guarantee period never ends before the main debt does, so a guarantee of a loan
    with a year still to run is not even read into the period calculation: the daily watch
    costs what the guarantees near their end cost, not what the whole book does."""
    row = guaranteed_row("G12", term_months="12")
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l12.csv", [row]))
    cycle("2026-07-29")  # T−30 for G1; G12's last installment is due in 2027

    assert len(judged) == 2  # G1's guarantor and counter-guarantor, not G12's guarantor
    assert ending(guaranteed) == {"guarantor": True, "counter_guarantor": True}
    assert not LoanParty.objects.get(loan__loan_id="G12", role="guarantor").guarantee_ending


def test_the_watch_does_not_judge_the_guarantees_of_a_loan_that_owes_nothing(
    guaranteed: Loan, creditor: Creditor, tmp_path: Path, judged: list[int]
) -> None:
    """A repaid loan's guarantee raises no flag, however its period runs: it is not read
    into the period calculation at all, day after day for the rest of the book's life."""
    from arrears.portfolio.models import Installment

    row = guaranteed_row("G2", term_months="1")
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l2.csv", [row]))
    due = sum(
        i.principal + i.interest + i.fees for i in Installment.objects.filter(loan__loan_id="G2")
    )
    paid = payment_row("P-G2", "G2", "2026-02-28", f"{due // 100}.{due % 100:02d}")
    tape_ingest(creditor=creditor, kind="payments", path=write_csv(tmp_path / "pay.csv", [paid]))
    cycle("2026-07-29")  # T−30 for both guarantees' periods

    assert len(judged) == 2  # G1's guarantor and counter-guarantor; G2 is repaid
    assert ending(guaranteed) == {"guarantor": True, "counter_guarantor": True}
    assert not LoanParty.objects.get(loan__loan_id="G2", role="guarantor").guarantee_ending
