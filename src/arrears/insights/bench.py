"""``arrears bench insights``: the manager's month tables timed on a synthetic history.

Builds ``loans`` loans of three creditors (two products each, disbursed over 24 months),
``months`` stored month ends of ``cycle_loanhistory`` (every loan, every month end) and the
cases, spells, assignments, payments, promises and contacts of their overdue months
(``bench_data``, ``bench_cases``: set-based SQL), then times each table once, cold (a new
database connection each): the last month's KPIs, the roll-rate matrix over the stored
months, vintages ever30 and ever90, and the recovery curves.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import Team, User
from arrears.cases.models import (
    Activity,
    CaseAssignment,
    CaseBucketSpell,
    CollectionCase,
    Promise,
)
from arrears.core.bulk import refresh_statistics
from arrears.core.errors import InvalidInput
from arrears.insights.bench_cases import cases_open, month_work
from arrears.insights.bench_data import Portfolio, history_insert, loans_insert
from arrears.portfolio.models import Creditor, Loan, LoanHistory, Payment, Product

# The last stored month end of the synthetic history (the cycle bench's first day's month).
LAST_MONTH = date(2026, 6, 30)
CREDITORS = ("A", "B", "C")
PRODUCTS = ("CONSUMER", "SME")
COLLECTORS_PER_TEAM = 6
MAX_LOANS = 5_000_000
# The cycle's partition size (``cycle.runner``, a floor above this app).
PARTITION_LOANS = 50_000
# The disbursements span 24 months; a longer history would start before the first loan.
MAX_MONTHS = 24
BUILT_TABLES = [
    model._meta.db_table
    for model in (
        Loan, LoanHistory, CollectionCase, CaseBucketSpell, CaseAssignment, Payment, Promise,
        Activity,
    )
]  # fmt: skip


def month_ends(last: date, months: int) -> list[date]:
    """The ``months`` month ends up to ``last``, oldest first."""
    ends = [last]
    while len(ends) < months:
        ends.append(date(ends[-1].year, ends[-1].month, 1) - timedelta(days=1))
    return ends[::-1]


def bench_insights(*, loans: int, months: int, last: date = LAST_MONTH) -> dict[str, Any]:
    """Build the synthetic history and time the tables; the figures as a dict (``arrears
    bench insights`` prints them)."""
    if not 1 <= loans <= MAX_LOANS:
        raise InvalidInput(
            _("--loans must be between 1 and %(most)s.") % {"most": f"{MAX_LOANS:,}"},
            field="loans",
        )
    if not 2 <= months <= MAX_MONTHS:
        raise InvalidInput(
            _("--months must be between 2 and %(most)s.") % {"most": MAX_MONTHS}, field="months"
        )
    started = time.perf_counter()
    built = build_history(loans=loans, ends=month_ends(last, months))
    figures: dict[str, Any] = {"database": connection.vendor, **built}
    figures["build_seconds"] = round(time.perf_counter() - started, 1)
    _settle()
    figures.update(time_tables(month_ends(last, months)))
    return figures


def build_history(*, loans: int, ends: list[date]) -> dict[str, Any]:
    """Write the portfolio and its stored month ends; the rows written, by table."""
    stamp = f"{timezone.now():%Y%m%d%H%M%S}"
    with transaction.atomic():
        portfolio = _portfolio(stamp, ends)
        loans_insert(loans, portfolio, prefix=f"IB{stamp}-")
        refresh_statistics([Loan._meta.db_table])
    history_rows = 0
    for month in range(len(ends)):
        with transaction.atomic():
            history_rows += history_insert(month, portfolio)
            if month:
                month_work(month, portfolio)
            cases_open(month, portfolio)
            # The planner must see the tables grow, or it joins them as if empty.
            refresh_statistics([LoanHistory._meta.db_table, CollectionCase._meta.db_table])
    return {
        "loans": loans,
        "month_ends": f"{ends[0]} … {ends[-1]} ({len(ends)})",
        "history_rows": history_rows,
        **_table_counts(portfolio),
    }


def _portfolio(stamp: str, ends: list[date]) -> Portfolio:
    """Three creditors with two products each, an early (M1–M2) and a late (M3–M7) team per
    creditor, and six collectors per team."""
    products: list[tuple[int, int]] = []
    early: dict[int, int] = {}
    late: dict[int, int] = {}
    collectors: dict[int, list[int]] = {}
    for name in CREDITORS:
        creditor = Creditor.objects.create(name=f"bench insights {stamp} {name}")
        for code in PRODUCTS:
            product = Product.objects.create(creditor=creditor, code=code, name=code.lower())
            products.append((product.pk, creditor.pk))
        for stage, buckets, teams in (("early", "M1,M2", early), ("late", "M3,M4,M5,M6,M7", late)):
            team = Team.objects.create(
                name=f"bench {stamp} {name} {stage}", creditor=creditor, buckets=buckets
            )
            teams[creditor.pk] = team.pk
            collectors[team.pk] = [
                User.objects.create_user(
                    username=f"bench-{stamp}-{name}-{stage}-{n}", role="collector", team=team
                ).pk
                for n in range(COLLECTORS_PER_TEAM)
            ]
    return Portfolio(
        products=products,
        early_team=early,
        late_team=late,
        collectors=collectors,
        month_ends=ends,
        # As the ORM would store it (SQLite keeps naive UTC text).
        now=connection.ops.adapt_datetimefield_value(timezone.now()),
    )


def _table_counts(portfolio: Portfolio) -> dict[str, int]:
    creditors = sorted({c for _, c in portfolio.products})
    cases = CollectionCase.objects.filter(creditor_id__in=creditors)
    return {
        "cases": cases.count(),
        "open_cases": cases.filter(status="open").count(),
        "bucket_spells": CaseBucketSpell.objects.filter(case__creditor_id__in=creditors).count(),
        "assignments": CaseAssignment.objects.filter(case__creditor_id__in=creditors).count(),
        "payments": Payment.objects.filter(creditor_id__in=creditors).count(),
        "promises": Promise.objects.filter(case__creditor_id__in=creditors).count(),
        "contacts": Activity.objects.filter(case__creditor_id__in=creditors).count(),
    }


def _settle() -> None:
    """Leave the database as a nightly run would find it: PostgreSQL's statistics fresh and
    its visibility map set (what autovacuum does after a load), SQLite's write-ahead log
    checkpointed. Inside a transaction (tests) only what a transaction allows."""
    if connection.in_atomic_block:
        refresh_statistics(BUILT_TABLES)
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name in BUILT_TABLES:
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(name)}")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def time_tables(ends: list[date]) -> dict[str, Any]:
    """Each table once, from a new connection: seconds and the rows it returned. Roll rates
    twice: first pairing the month ends' rows (a history closed before the cycle kept
    roll cells), then from the cells the cycle's ``rolls`` step writes at each month end
    (that step timed too, over every month end but the first, in cycle partitions)."""
    from arrears.insights.kpis import month_kpis
    from arrears.insights.recovery import recovery_curves
    from arrears.insights.roll_rates import roll_rates
    from arrears.insights.vintages import vintages

    last = date(ends[-1].year, ends[-1].month, 1)
    second = date(ends[1].year, ends[1].month, 1)
    figures: dict[str, Any] = {}
    kpis = _timed(figures, "kpis", lambda: month_kpis(last))
    figures["kpis_loans"] = sum(row["loans"] for row in kpis["aging"].values())
    paired = _timed(figures, "roll_rates_paired", lambda: roll_rates(second, last))
    figures["rolls_step_seconds"] = _rolls_step(ends[1:])
    from_cells = _timed(figures, "roll_rates", lambda: roll_rates(second, last))
    # The cells must give the matrix the pairing gives, or the fast read is wrong.
    figures["roll_rates_cells_match"] = "yes" if from_cells == paired else "NO"
    _timed(figures, "vintages_ever30", lambda: vintages("ever30"))
    _timed(figures, "vintages_ever90", lambda: vintages("ever90"))
    _timed(figures, "recovery", lambda: recovery_curves())
    return figures


def _rolls_step(ends: list[date]) -> float:
    """Write the roll cells of ``ends`` as the cycle's ``rolls`` step would, partition by
    partition (``PARTITION_LOANS`` loan ids each); the seconds summed over them."""
    from arrears.insights.roll_cells import rolls_record

    low, high = Loan.objects.aggregate(low=Min("id"), high=Max("id")).values()
    started = time.perf_counter()
    for on in ends:
        for first in range(low or 0, (high or 0) + 1, PARTITION_LOANS):
            with transaction.atomic():
                rolls_record(first=first, last=first + PARTITION_LOANS - 1, on=on)
    return round(time.perf_counter() - started, 2)


def _timed(figures: dict[str, Any], name: str, table: Callable[[], dict[str, Any]]) -> Any:
    """Run one table from a fresh connection; its seconds (and row count) into ``figures``."""
    if not connection.in_atomic_block:
        connection.close()  # a cold start: no statement or page cached by this connection
    gc.collect()
    started = time.perf_counter()
    result = table()
    figures[f"{name}_seconds"] = round(time.perf_counter() - started, 2)
    if "rows" in result:
        figures[f"{name}_rows"] = len(result["rows"])
    return result
