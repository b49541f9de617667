"""A waiver posted between cycles is in the cycle's positions exactly as the replay has it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from arrears.cycle.runner import cycle_run
from arrears.cycle.selectors import position_mismatches
from arrears.portfolio.models import Creditor, Loan, LoanPosition
from arrears.portfolio.selectors import loan_state
from arrears.portfolio.services import tape_ingest, waiver_post
from tests.factories import loan_row, payment_row, write_csv

pytestmark = pytest.mark.django_db(transaction=False)


def test_a_penalty_and_principal_waiver_reach_the_positions(
    creditor: Creditor, tmp_path: Path
) -> None:
    tape_ingest(
        creditor=creditor,
        kind="loans",
        path=write_csv(tmp_path / "l.csv", [loan_row("W1"), loan_row("W2")]),
    )
    loans = list(Loan.objects.filter(creditor=creditor).order_by("loan_id"))
    first = date(2026, 4, 20)
    cycle_run(on=first)
    before = LoanPosition.objects.get(loan=loans[0])
    assert before.overdue_penalty > 0

    state = loan_state(loans[0], as_of=first + timedelta(days=1))
    waiver_post(
        loan=loans[0],
        reference="S-1",
        waived_on=first + timedelta(days=1),
        penalty=state.overdue.penalty,
        principal=1_000_00,
    )
    tape_ingest(
        creditor=creditor,
        kind="payments",
        path=write_csv(
            tmp_path / "p.csv",
            [payment_row("P1", "W2", (first + timedelta(days=1)).isoformat(), "500.00")],
        ),
    )
    for offset in (1, 2, 9):
        cycle_run(on=first + timedelta(days=offset))
        assert position_mismatches(loans) == []

    after = LoanPosition.objects.get(loan=loans[0])
    assert after.overdue_principal == before.overdue_principal - 1_000_00
