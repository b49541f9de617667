"""The bulk assignment benchmark's portfolio (``bench/assign.sh``): the cycle bench's
synthetic loans, their borrowers' phones, and the file of loan ids a sale list would be.
The script closes a day with ``arrears cycle`` before timing, so the overdue loans have
cases to move."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from arrears.portfolio.bench_portfolio import bench_contact_points, build_bench_portfolio
from arrears.portfolio.models import Creditor, Loan


def bench_assign_build(*, loans: int, first_day: date, out: Path, seed: int = 11) -> str:
    """Build ``loans`` loans with a phone and an email per borrower and write every loan id
    to ``out`` (one a line); the creditor's name."""
    started = time.perf_counter()
    built = build_bench_portfolio(loans=loans, first_day=first_day, days=0, seed=seed)
    bench_contact_points(creditor_id=built.creditor_id)
    ids = Loan.objects.filter(creditor_id=built.creditor_id).values_list("loan_id", flat=True)
    out.write_text("\n".join(ids.iterator()) + "\n", encoding="utf-8")
    print(f"built {built.loans} loans in {time.perf_counter() - started:.1f} s")
    return Creditor.objects.get(pk=built.creditor_id).name
