"""``arrears bench insights``: builds a synthetic history and prints a figure per table.

Times are machine figures and never asserted; the shape of the output is."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.portfolio.models import LoanHistory

FIGURES = [
    "database",
    "loans",
    "month_ends",
    "history_rows",
    "cases",
    "open_cases",
    "bucket_spells",
    "assignments",
    "payments",
    "promises",
    "contacts",
    "build_seconds",
    "kpis_seconds",
    "kpis_loans",
    "roll_rates_paired_seconds",
    "roll_rates_paired_rows",
    "rolls_step_seconds",
    "roll_rates_seconds",
    "roll_rates_rows",
    "roll_rates_cells_match",
    "vintages_ever30_seconds",
    "vintages_ever30_rows",
    "vintages_ever90_seconds",
    "vintages_ever90_rows",
    "recovery_seconds",
    "recovery_rows",
]


@pytest.mark.django_db
def test_bench_insights_prints_every_figure() -> None:
    out = StringIO()
    call_command("bench", "insights", "--loans", "2000", stdout=out)
    printed = dict(
        (key.strip(), value.strip())
        for key, value in (line.split(":", 1) for line in out.getvalue().splitlines())
    )
    assert list(printed) == FIGURES
    assert printed["loans"] == "2000"
    assert printed["month_ends"] == "2025-07-31 … 2026-06-30 (12)"
    for name in FIGURES:
        if name.endswith("_seconds"):
            assert re.fullmatch(r"\d+\.\d+", printed[name]), name
        elif name not in ("database", "month_ends", "roll_rates_cells_match"):
            assert int(printed[name]) > 0, name
    # The roll-rate cells the cycle keeps give the matrix pairing the rows gives.
    assert printed["roll_rates_cells_match"] == "yes"
    assert printed["roll_rates_rows"] == printed["roll_rates_paired_rows"]
    # Every loan has a row at every month end after its disbursement.
    assert LoanHistory.objects.values("business_date").distinct().count() == 12
    assert int(printed["history_rows"]) == LoanHistory.objects.count()
    # Aging counts the loans with principal left at the last month end, some of them late.
    assert 0 < int(printed["kpis_loans"]) < 2000
    assert LoanHistory.objects.filter(business_date="2026-06-30").exclude(bucket="M0").exists()


@pytest.mark.django_db
def test_bench_insights_refuses_a_bad_size() -> None:
    with pytest.raises(CommandError, match="--loans must be between 1 and 5,000,000"):
        call_command("bench", "insights", "--loans", "0", stdout=StringIO())
