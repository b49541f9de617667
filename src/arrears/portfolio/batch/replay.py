"""Step ``post_payments``: rebuild the positions of loans whose inputs changed.

A loan's position is rebuilt from scratch when it has no position yet, when its payments
up to the cycle date differ from those its position was computed from (a new payment, or
a backdated one that moves everything after it), when its terms or limitation events
changed, or when credit it holds meets a due date. Loans that never paid while owing
penalty are rebuilt by set-based SQL (``clean_path``); the others by the reference replay
of the portfolio foundation, with reads and writes in bulk per partition and only the
replay itself per loan, in the pure calculation module the rest of the system trusts.
Every other loan keeps its position and only accrues (``state.penalty_accrue``), which is what
makes a following day cheap.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import connection

from arrears.core.bulk import bulk_insert, chunked
from arrears.core.sql import emptied, table
from arrears.portfolio.batch import clean_path, state, work_scan
from arrears.portfolio.batch.columns import DEBTOR_EVENT, INSTALLMENT_COLUMNS, LOAN_COLUMNS
from arrears.portfolio.calculations.allocation import (
    LoanState,
    LoanTerms,
    PaymentIn,
    WaiverIn,
    replay,
)
from arrears.portfolio.calculations.limitation import limitation_expires_on
from arrears.portfolio.calculations.schedule import ScheduledInstallment
from arrears.portfolio.models import (
    Installment,
    InstallmentPosition,
    LimitationEvent,
    Loan,
    LoanPosition,
    Payment,
    Waiver,
)

_BATCH = 2_000  # loans replayed and written per batch: bounds memory on a large partition


def stale_loans(first: int, last: int, on: date) -> list[int]:
    """Loans of ids ``first``–``last`` whose position cannot simply be carried to ``on``.

    No position yet; a payment recorded since (the loan's payments version moved); a
    payment on file whose day has come; changed terms; or credit meeting a due date.
    """
    loan, position = table(Loan), table(LoanPosition)
    sql = f"""
        SELECT l.id
        FROM {loan} l
        LEFT JOIN {position} p
          -- The range on the positions too: PostgreSQL carries the join's equality, not
          -- the range, and read every position of the book for each partition.
          ON p.loan_id = l.id AND p.loan_id BETWEEN %(first)s AND %(last)s
        WHERE l.id BETWEEN %(first)s AND %(last)s AND l.status = 'active'
          AND (
            p.loan_id IS NULL
            OR p.payments_version <> l.payments_version
            OR p.pending_payment_day <= %(day)s
            OR p.loan_updated_at <> l.updated_at
            OR (p.credit_balance > 0 AND p.next_due_day <= %(day)s)
          )
        ORDER BY l.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"first": first, "last": last, "day": on.toordinal()})
        return [row[0] for row in cursor.fetchall()]


@lru_cache(maxsize=1024)
def _terms(penalty_rate: Any, grace_days: int, day_count: int, order: str) -> LoanTerms:
    # A portfolio has a handful of distinct terms: build each once (LoanTerms is frozen).
    return LoanTerms(
        penalty_rate=Decimal(penalty_rate),
        grace_days=grace_days,
        day_count=day_count,
        allocation_order=tuple(part.strip() for part in order.split(",")),
    )


def read_inputs(loan_ids: Sequence[int], on: date) -> Iterator[tuple[int, dict[str, Any]]]:
    """Terms, schedule, payments and limitation events of ``loan_ids``, a few queries per
    900 loans."""
    for batch in chunked(list(loan_ids), 900):
        # The loans first: a payment recorded while this runs then shows as a newer
        # payments version next time, never as a payment counted under an old version.
        loans: dict[int, dict[str, Any]] = {
            pk: {
                "terms": _terms(rate, grace, day_count, order),
                "updated_at": updated_at,
                "payments_version": version,
                "schedule": [],
                "installment_ids": [],
                "payments": [],
                "limitation_events": [],
                "waivers": [],
            }
            for pk, rate, grace, day_count, order, updated_at, version in Loan.objects.filter(
                pk__in=batch
            )
            .order_by()
            .values_list(
                "pk",
                "penalty_rate",
                "grace_days",
                "day_count",
                "allocation_order",
                "updated_at",
                "payments_version",
            )
        }
        for loan_pk, day in work_scan.pending_payment_days(batch, on).items():
            loans[loan_pk]["pending_payment_day"] = day
        # Plain cursors for the many rows: the ORM's per-row conversion cost more than the
        # replay itself. Dates come back as dates on both databases.
        marks = ", ".join(["%s"] * len(batch))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, loan_id, seq, due_on, principal, interest, fees"
                f" FROM {table(Installment)} WHERE loan_id IN ({marks})"
                " ORDER BY loan_id, seq",
                batch,
            )
            for pk, loan_pk, seq, due_on, principal, interest, fees in cursor.fetchall():
                loans[loan_pk]["schedule"].append(
                    ScheduledInstallment(seq, due_on, principal, interest, fees)
                )
                loans[loan_pk]["installment_ids"].append(pk)
            cursor.execute(
                f"SELECT loan_id, payment_id, paid_on, amount FROM {table(Payment)}"
                f" WHERE loan_id IN ({marks}) AND paid_on <= %s",
                [*batch, on],
            )
            for loan_pk, key, paid_on, amount in cursor.fetchall():
                loans[loan_pk]["payments"].append(PaymentIn(key, paid_on, amount))
            cursor.execute(
                f"SELECT loan_id, occurred_on, kind FROM {table(LimitationEvent)}"
                f" WHERE loan_id IN ({marks}) AND occurred_on <= %s AND {DEBTOR_EVENT}",
                [*batch, on],
            )
            for loan_pk, occurred_on, kind in cursor.fetchall():
                loans[loan_pk]["limitation_events"].append((occurred_on, kind))
            cursor.execute(
                "SELECT loan_id, reference, waived_on, principal, interest, fees, penalty"
                f" FROM {table(Waiver)} WHERE loan_id IN ({marks}) AND waived_on <= %s",
                [*batch, on],
            )
            for loan_pk, *waiver in cursor.fetchall():
                loans[loan_pk]["waivers"].append(WaiverIn(*waiver))
        yield from loans.items()


def position_rows(
    loan_pk: int, data: dict[str, Any], state: LoanState, on: date
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """The loan and installment position rows of one replayed loan."""
    terms: LoanTerms = data["terms"]
    numerator, denominator = terms.penalty_rate.as_integer_ratio()
    grace = timedelta(days=terms.grace_days)
    day = on.toordinal()
    ids = dict(zip((item.seq for item in data["schedule"]), data["installment_ids"], strict=True))
    installment_rows = []
    oldest_unpaid: int | None = None
    for item in state.installments:
        outstanding = item.outstanding
        if outstanding.total > 0 and oldest_unpaid is None:
            oldest_unpaid = item.due_on.toordinal()
        if item.due_on > on or (
            outstanding.total == 0 and item.penalty_fen_days == 0 and item.due.penalty == 0
        ):
            # Sparse positions (see InstallmentPosition): a settled installment that never
            # accrued penalty, or one not yet due, is read from the schedule instead.
            continue
        installment_rows.append(
            (
                ids[item.seq],
                loan_pk,
                item.seq,
                item.due_on.toordinal(),
                (item.due_on + grace).toordinal(),
                day,
                outstanding.principal,
                outstanding.interest,
                outstanding.fees,
                item.penalty_fen_days,
                item.due.penalty,
                # Waived penalty is settled as far as the accrual steps are concerned.
                item.paid.penalty + item.waived.penalty,
            )
        )
    payments: list[PaymentIn] = data["payments"]
    last_paid_on = max((p.paid_on for p in payments), default=None)
    last_due_on = max((item.due_on for item in state.installments), default=None)
    expires = limitation_expires_on(last_due_on, last_paid_on, data["limitation_events"])
    loan_row = (
        loan_pk,
        on,
        state.dpd,
        state.bucket,
        "normal",  # set by the classify step
        state.overdue.principal,
        state.overdue.interest,
        state.overdue.fees,
        state.overdue.penalty,
        state.penalty_accrued,
        state.credit_balance,
        state.principal_outstanding,
        state.next_due_on.toordinal() if state.next_due_on else None,
        state.oldest_overdue_due_on.toordinal() if state.oldest_overdue_due_on else None,
        oldest_unpaid,
        last_paid_on,
        expires,
        expires.toordinal() if expires else None,
        False,  # set by the limitation step
        numerator,
        denominator * terms.day_count,
        len(payments),
        sum(p.amount for p in payments),
        data["payments_version"],
        data.get("pending_payment_day"),
        data["updated_at"],
    )
    return loan_row, installment_rows


def replay_into_positions(loan_ids: Sequence[int], on: date) -> int:
    """Replay ``loan_ids`` as of ``on`` and insert their positions (old ones are gone)."""
    done = 0
    for batch in chunked(list(loan_ids), _BATCH):
        loan_rows: list[tuple[Any, ...]] = []
        installment_rows: list[tuple[Any, ...]] = []
        for loan_pk, data in read_inputs(batch, on):
            state = replay(
                installments=data["schedule"],
                payments=data["payments"],
                terms=data["terms"],
                as_of=on,
                allocations=False,
                waivers=data["waivers"],
            )
            loan_row, rows = position_rows(loan_pk, data, state, on)
            loan_rows.append(loan_row)
            installment_rows.extend(rows)
        bulk_insert(LoanPosition._meta.db_table, LOAN_COLUMNS, loan_rows)
        bulk_insert(InstallmentPosition._meta.db_table, INSTALLMENT_COLUMNS, installment_rows)
        done += len(loan_rows)
    return done


def payments_post(*, first: int, last: int, on: date) -> int:
    """Bring the positions of changed loans of ``first``–``last`` to ``on``; return how many.

    Loans that never paid while owing penalty get their positions from set-based SQL
    (``clean_path``); the others are replayed. Then installments of the other loans that
    fell due through ``on`` enter their positions (``state.materialize_due``).
    """
    stale = stale_loans(first, last, on)
    if stale:
        _rebuild(stale, first, last, on)
    state.materialize_due(first, last, on)
    return len(stale)


def _rebuild(stale: list[int], first: int, last: int, on: date) -> None:
    """Replace the positions of ``stale`` loans with fresh ones as of ``on``."""
    work = work_scan.work_table()
    with connection.cursor() as cursor:
        cursor.execute(emptied(work))
    bulk_insert(work_scan.WORK_TABLE, ["loan_id", "dirty"], ((pk, 0) for pk in stale))
    work_scan.refresh_work_statistics()
    position, installment_position = table(LoanPosition), table(InstallmentPosition)
    with connection.cursor() as cursor:
        for name in (installment_position, position):
            # The range lets the planner use the loan index even on stale statistics.
            cursor.execute(
                f"DELETE FROM {name} WHERE loan_id BETWEEN %s AND %s"
                f" AND loan_id IN (SELECT loan_id FROM {work})",
                [first, last],
            )
    work_scan.mark_dirty(first, last, on, restrict=2 * len(stale) < last - first + 1)
    clean_path.insert_clean_positions(first, last, on)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT loan_id FROM {work} WHERE dirty = 1 ORDER BY loan_id")
        dirty = [row[0] for row in cursor.fetchall()]
    replay_into_positions(dirty, on)


def refresh(loan_ids: Sequence[int], on: date) -> int:
    """Replay ``loan_ids`` as of ``on`` and replace their positions; return how many."""
    position, installment_position = table(LoanPosition), table(InstallmentPosition)
    with connection.cursor() as cursor:
        for ids in chunked(list(loan_ids), 900):
            marks = ", ".join(["%s"] * len(ids))
            for name in (installment_position, position):
                cursor.execute(f"DELETE FROM {name} WHERE loan_id IN ({marks})", ids)
    return replay_into_positions(loan_ids, on)
