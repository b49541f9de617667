"""The guarantee tests' world: a bank's guaranteed loan with its parties, after a cycle."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from arrears.cycle.runner import cycle_run
from arrears.portfolio.models import Creditor
from arrears.portfolio.services import tape_ingest
from arrears.portfolio.synthetic import company_code
from tests.factories import loan_row, valid_id, write_csv

COMPANY = "融信融资担保有限公司"
FIRST_CYCLE = date(2026, 4, 20)
PAID_OUT = date(2026, 4, 25)


def _party(loan_id: str, role: str, name: str, id_number: str) -> dict[str, str]:
    return {"loan_id": loan_id, "role": role, "name": name, "id_number": id_number}


@pytest.fixture
def lender(tmp_path: Path) -> Creditor:
    """A bank with guaranteed loan G1 (and an unguaranteed G2), its parties, a first cycle."""
    bank = Creditor.objects.create(name="示例银行")
    rows = [loan_row("G1", guarantee_type="guarantee"), loan_row("G2")]
    tape_ingest(creditor=bank, kind="loans", path=write_csv(tmp_path / "l.csv", rows))
    parties = [
        _party("G1", "guarantor", COMPANY, company_code(random.Random(3))),
        _party("G1", "co_borrower", "李四", valid_id()),
        _party("G1", "counter_guarantor", "王五", valid_id()),
        _party("G1", "contact_person", "赵六", valid_id()),
    ]
    tape_ingest(creditor=bank, kind="parties", path=write_csv(tmp_path / "p.csv", parties))
    cycle_run(on=FIRST_CYCLE)
    return bank
