"""The ``cases`` step: open, reopen, update and close cases (with their reason, see
``cases.batch.closing``), bucket spells, and withdraw the work of cases closed today.

Called by the cycle for one partition of loans and one business date, after the loan
positions are up to date. Every statement is guarded so running it twice for the same
date changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from arrears.cases.batch.closing import (
    FINAL,
    MOVING_TABLE,
    close_statements,
    moving_statements,
    moving_table,
    reopen_statements,
)
from arrears.cases.models import CaseBucketSpell, CollectionCase, Settlement, WorkItem
from arrears.core.sql import execute_all, table
from arrears.portfolio.models import Loan, LoanPosition, Product


def cases_maintain(*, first: int, last: int, on: date) -> int:
    """Bring the cases of loans ``first``–``last`` in line with their positions on ``on``.

    Returns the number of rows written (cases and spells).
    """
    case, spell = table(CollectionCase), table(CaseBucketSpell)
    position, loan, product = table(LoanPosition), table(Loan), table(Product)
    params: dict[str, Any] = {"first": first, "last": last, "on": on}
    # Both sides of every join carry the range, so each statement reads one partition.
    in_range = (
        "c.loan_id BETWEEN %(first)s AND %(last)s AND p.loan_id BETWEEN %(first)s AND %(last)s"
    )
    final = ", ".join(f"'{reason}'" for reason in FINAL)
    names = {"case": case, "spell": spell, "position": position, "loan": loan}
    moving_table()
    # Cases still open after the closing whose bucket changes (read before the UPDATE below
    # brings ``c.bucket`` in line). From the few moving rows to their cases by key: CROSS
    # JOIN keeps that order on SQLite, which otherwise read every open case of the book.
    rebucketed = f"""
        SELECT m.case_id FROM {MOVING_TABLE} AS m CROSS JOIN {case} AS c
        WHERE c.id = m.case_id AND m.closing = 0 AND c.status = 'open' AND m.bucket <> c.bucket
    """
    # Bookkeeping of this step only: its rows are not counted as written.
    execute_all(
        moving_statements(case=case, position=position, loan=loan, in_range=in_range), params
    )
    statements = [
        *close_statements(**names, settlement=table(Settlement), in_range=in_range),
        # A bucket change ends the current spell and starts one in the new bucket.
        f"""
        UPDATE {spell} SET left_on = %(on)s
        WHERE left_on IS NULL AND entered_on < %(on)s AND case_id IN ({rebucketed})
        """,
        f"""
        INSERT INTO {spell} (case_id, bucket, entered_on, left_on)
        SELECT m.case_id, m.bucket, %(on)s, NULL
        FROM {MOVING_TABLE} AS m
        WHERE m.case_id IN ({rebucketed})
          AND NOT EXISTS (
            SELECT 1 FROM {spell} AS s WHERE s.case_id = m.case_id AND s.entered_on = %(on)s
          )
        """,
        f"""
        UPDATE {case} AS c SET current_dpd = p.dpd, bucket = p.bucket,
            worst_dpd = CASE WHEN p.dpd > c.worst_dpd THEN p.dpd ELSE c.worst_dpd END,
            updated_on = %(on)s, updated_at = CURRENT_TIMESTAMP
        FROM {position} AS p
        WHERE p.loan_id = c.loan_id AND {in_range} AND c.status = 'open'
          AND (c.current_dpd <> p.dpd OR c.bucket <> p.bucket)
        """,
        # A loan cured or paid off whose case is closed and that is overdue again gets that
        # case back (cases.batch.closing) before any new case is considered.
        *reopen_statements(**names, product=product, in_range=in_range),
        # New cases: an active loan whose collection was not ended for good, DPD at or
        # beyond the product's threshold, no open case.
        f"""
        INSERT INTO {case} (loan_id, creditor_id, status, opened_on, entry_dpd, entry_amount,
                            current_dpd, bucket, worst_dpd, updated_on, close_reason,
                            created_at, updated_at)
        SELECT p.loan_id, l.creditor_id, 'open', %(on)s, p.dpd,
               p.overdue_principal + p.overdue_interest + p.overdue_fees + p.overdue_penalty,
               p.dpd, p.bucket, p.dpd, %(on)s, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
        FROM {position} AS p
        JOIN {loan} AS l ON l.id = p.loan_id
        LEFT JOIN {product} AS pr ON pr.id = l.product_id
        WHERE p.loan_id BETWEEN %(first)s AND %(last)s AND l.status = 'active'
          -- PostgreSQL does not carry the range over the join: without it, every loan.
          AND l.id BETWEEN %(first)s AND %(last)s
          AND p.dpd > 0 AND p.dpd >= COALESCE(pr.case_threshold_dpd, 1)
          AND NOT EXISTS (
            SELECT 1 FROM {case} AS c WHERE c.loan_id = p.loan_id
              AND (c.status = 'open' OR c.opened_on = %(on)s OR c.close_reason IN ({final}))
          )
        """,
        f"""
        INSERT INTO {spell} (case_id, bucket, entered_on, left_on)
        SELECT c.id, c.bucket, %(on)s, NULL
        FROM {case} AS c
        WHERE c.loan_id BETWEEN %(first)s AND %(last)s AND c.opened_on = %(on)s
          AND NOT EXISTS (SELECT 1 FROM {spell} AS s WHERE s.case_id = c.id)
        """,
    ]
    # Open work of cases closed today is no longer anyone's: withdrawn in the same step.
    statements.append(_CANCEL_CLOSED_WORK.format(item=table(WorkItem), case=case))
    return execute_all(statements, params)


_CANCEL_CLOSED_WORK = """
    UPDATE {item} SET status = 'cancelled', closed_at = CURRENT_TIMESTAMP
    WHERE status = 'open' AND case_id IN (
        SELECT c.id FROM {case} AS c WHERE c.loan_id BETWEEN %(first)s AND %(last)s
          AND c.status = 'closed' AND c.closed_on = %(on)s)
"""
