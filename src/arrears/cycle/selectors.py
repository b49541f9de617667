"""Reads of the cycle: recent runs with their steps, and a loan's stored position."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Max, Sum

from arrears.cases.models import CaseBucketSpell, CollectionCase
from arrears.cycle.choices import STEPS, RunStatus
from arrears.cycle.models import CycleRun, CycleStep
from arrears.portfolio.calculations.allocation import LoanState
from arrears.portfolio.models import InstallmentPosition, Loan, LoanHistory, LoanPosition
from arrears.portfolio.position_selectors import position_state
from arrears.portfolio.selectors import loan_state


def recent_runs(limit: int = 10) -> list[CycleRun]:
    """The latest runs, newest business date first."""
    return list(CycleRun.objects.order_by("-business_date")[:limit])


def run_steps(run: CycleRun) -> list[dict[str, Any]]:
    """Per step: partitions done, rows and the slowest partition's seconds, in step order."""
    totals = {
        row["name"]: row
        for row in CycleStep.objects.filter(run=run)
        .values("name")
        .annotate(partitions=Count("id"), rows=Sum("rows"), seconds=Sum("seconds"))
    }
    return [
        {
            "name": name,
            "partitions": totals.get(name, {}).get("partitions", 0),
            "rows": totals.get(name, {}).get("rows", 0) or 0,
            "seconds": round(totals.get(name, {}).get("seconds", 0) or 0, 3),
        }
        for name in STEPS
    ]


def last_cycle_date() -> date | None:
    """The business date of the latest completed run."""
    return CycleRun.objects.filter(status=RunStatus.COMPLETED).aggregate(last=Max("business_date"))[
        "last"
    ]


@dataclass(frozen=True)
class StoredState:
    """A loan's state as the last cycle left it, in the replay's shape plus cycle fields."""

    cycle_date: date
    state: LoanState
    position: LoanPosition
    case: CollectionCase | None


def stored_state(loan: Loan) -> StoredState | None:
    """The loan's position from the last completed cycle, with its case; None before any
    cycle. A position that no cycle step touched since its ``as_of`` is still the state on
    the cycle date: nothing about the loan changed in between (that is why it was left
    alone)."""
    cycle_date = last_cycle_date()
    if cycle_date is None:
        return None
    found = position_state(loan, cycle_date)
    if found is None:
        return None
    state, position = found
    case = CollectionCase.objects.filter(loan=loan).order_by("-opened_on").first()
    return StoredState(cycle_date, state, position, case)


def position_mismatches(loans: list[Loan]) -> list[str]:
    """Differences between each loan's stored position and its reference replay.

    The cycle's set-based SQL must equal the pure replay fen for fen; this is the check,
    used by the tests and by ``arrears cycle --verify`` on a sample of a real portfolio.
    """
    problems: list[str] = []
    for loan in loans:
        stored = stored_state(loan)
        if stored is None:
            problems.append(f"{loan.loan_id}: no position")
            continue
        expected = loan_state(loan, as_of=stored.cycle_date)
        got = stored.state
        pairs = {
            "dpd": (got.dpd, expected.dpd),
            "bucket": (got.bucket, expected.bucket),
            "overdue": (got.overdue, expected.overdue),
            "penalty_accrued": (got.penalty_accrued, expected.penalty_accrued),
            "credit_balance": (got.credit_balance, expected.credit_balance),
            "principal_outstanding": (got.principal_outstanding, expected.principal_outstanding),
            "next_due_on": (got.next_due_on, expected.next_due_on),
            "installments": (
                [(i.seq, i.outstanding, i.paid, i.penalty_fen_days) for i in got.installments],
                # A position knows what is settled, not whether it was paid or waived.
                [
                    (i.seq, i.outstanding, i.paid + i.waived, i.penalty_fen_days)
                    for i in expected.installments
                ],
            ),
        }
        problems.extend(
            f"{loan.loan_id} on {stored.cycle_date}: {name} is {mine}, replay says {theirs}"
            for name, (mine, theirs) in pairs.items()
            if mine != theirs
        )
    return problems


def state_digest() -> str:
    """SHA-256 over every position, installment position, case, spell and history row.

    Two databases (or one before and after a rerun) hold the same cycle state exactly when
    their digests agree; wall-clock stamps and surrogate ids are left out.
    """
    digest = hashlib.sha256()
    sources: list[tuple[str, Any]] = [
        (
            "positions",
            LoanPosition.objects.order_by("loan__loan_id").values_list(
                "loan__loan_id", *POSITION_FIELDS
            ),
        ),
        (
            "installments",
            InstallmentPosition.objects.order_by("loan__loan_id", "seq").values_list(
                "loan__loan_id", *INSTALLMENT_FIELDS
            ),
        ),
        (
            "cases",
            CollectionCase.objects.order_by("loan__loan_id", "opened_on").values_list(
                "loan__loan_id",
                "status",
                "opened_on",
                "entry_dpd",
                "entry_amount",
                "current_dpd",
                "bucket",
                "worst_dpd",
                "updated_on",
                "closed_on",
                "close_reason",
            ),
        ),
        (
            "spells",
            CaseBucketSpell.objects.order_by("case__loan__loan_id", "entered_on").values_list(
                "case__loan__loan_id", "case__opened_on", "bucket", "entered_on", "left_on"
            ),
        ),
        (
            "history",
            LoanHistory.objects.order_by("loan__loan_id", "business_date").values_list(
                "loan__loan_id",
                "business_date",
                "dpd",
                "bucket",
                "classification",
                "overdue_total",
                "principal_outstanding",
                "penalty_accrued",
            ),
        ),
    ]
    for name, rows in sources:
        digest.update(name.encode())
        for row in rows.iterator(chunk_size=5000):
            digest.update(repr(row).encode())
    return digest.hexdigest()


POSITION_FIELDS = (
    "as_of",
    "dpd",
    "bucket",
    "classification",
    "overdue_principal",
    "overdue_interest",
    "overdue_fees",
    "overdue_penalty",
    "penalty_accrued",
    "credit_balance",
    "principal_outstanding",
    "next_due_day",
    "oldest_overdue_day",
    "oldest_unpaid_day",
    "last_paid_on",
    "limitation_expires_on",
    "limitation_watch",
    "payments_count",
    "payments_total",
)
INSTALLMENT_FIELDS = (
    "seq",
    "due_day",
    "accrue_after_day",
    "accrued_through_day",
    "principal_unpaid",
    "interest_unpaid",
    "fees_unpaid",
    "fen_days",
    "penalty_accrued",
    "penalty_paid",
)
