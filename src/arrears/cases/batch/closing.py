"""The statements of the ``cases`` step that close cases (with their reason) and reopen them.

Why a case closes, in the order tried (one UPDATE closes every case due to close today; its
``CASE`` takes the first reason that applies, so the order is the precedence):

- ``compensated``: the loan was paid out by its guarantor (loan status ``compensated``);
- ``written_off``: the loan was written off (核销; the write-off service closes the case at
  once, this catches a loan written off outside it);
- ``settled``: nothing is owed any more and the case has an approved settlement (和解);
- ``paid_off``: nothing is owed any more (loan status ``closed``, or no principal
  outstanding and nothing overdue);
- ``cured``: DPD back to 0, the loan still running.

``sold``, ``deceased`` and ``legal_terminated`` are not the cycle's: the assignment of the
debt (``creditor_move``) and a manager's or legal officer's decision
(``cases.closing_services``) close those.

Reopening: a loan whose latest case closed as ``cured``, ``paid_off`` or ``settled`` and that
falls overdue again (DPD at or beyond its product's case threshold) while the loan is still
active gets that same case back, open, with ``reopened_on`` and ``reopen_count`` + 1, close
fields cleared, and a new bucket spell; activities, promises and earlier spells stay
attached. A written-off, sold, compensated, deceased or legally ended case never reopens:
those loans are out of the active book (or belong to another creditor, whose new case the
cycle opens as for any overdue loan). After ``deceased`` or ``legal_terminated`` the cycle
opens no new case for the loan either (``FINAL``): resuming collection is a person's call.
"""

from __future__ import annotations

from django.db import connection

from arrears.core.sql import emptied

REOPENABLE = ("cured", "paid_off", "settled")
# A person ended the loan's collection: no case is opened for it again by the cycle.
FINAL = ("deceased", "legal_terminated")

# Open cases this step may close today: not opened (or reopened) today, so a day's run is
# idempotent and a case is never opened and closed on the same date.
_CLOSABLE = (
    "c.status = 'open' AND c.opened_on < %(on)s"
    " AND (c.reopened_on IS NULL OR c.reopened_on < %(on)s)"
)
_NOTHING_OWED = (
    "p.dpd = 0 AND p.principal_outstanding = 0 AND p.overdue_principal + p.overdue_interest"
    " + p.overdue_fees + p.overdue_penalty = 0"
)


MOVING_TABLE = "cases_moving"


def moving_statements(*, case: str, position: str, loan: str, in_range: str) -> list[str]:
    """Fill ``cases_moving`` (created by ``moving_table``) with the partition's open cases
    that close today (``closing`` 1) or change bucket (``closing`` 0, with the new bucket).

    One read of the open cases with their positions and loans: the statements that end and
    start spells and close cases then read these few rows instead of each joining every open
    case of the partition again.
    """
    closing = f"{_CLOSABLE} AND (p.dpd = 0 OR l.status <> 'active')"
    return [
        emptied(MOVING_TABLE),
        f"""
        INSERT INTO {MOVING_TABLE} (case_id, closing, bucket)
        SELECT c.id, CASE WHEN {closing} THEN 1 ELSE 0 END, p.bucket
        FROM {case} AS c
        JOIN {position} AS p ON p.loan_id = c.loan_id
        JOIN {loan} AS l ON l.id = c.loan_id
        WHERE {in_range} AND l.id BETWEEN %(first)s AND %(last)s AND c.status = 'open'
          AND (({closing}) OR p.bucket <> c.bucket)
        """,
    ]


def moving_table() -> str:
    """Create the per-connection temporary table ``moving_statements`` fills."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {MOVING_TABLE}"
            " (case_id BIGINT PRIMARY KEY, closing SMALLINT NOT NULL, bucket VARCHAR(10))"
        )
    return MOVING_TABLE


def close_statements(
    *, case: str, spell: str, position: str, loan: str, settlement: str, in_range: str
) -> list[str]:
    """The spell-ending statement and the UPDATE that closes each case with the first reason
    that holds, in precedence order; the cases are those ``moving_statements`` marked."""
    reasons = [
        ("compensated", "l.status = 'compensated'"),
        ("written_off", "l.status = 'written_off'"),
        (
            "settled",
            f"{_NOTHING_OWED} AND EXISTS (SELECT 1 FROM {settlement} AS st"
            " WHERE st.case_id = c.id AND st.status = 'approved')",
        ),
        ("paid_off", f"(l.status = 'closed' OR ({_NOTHING_OWED}))"),
        ("cured", "p.dpd = 0"),
    ]
    ending = [
        # The open spell of every case closing today ends today.
        f"""
        UPDATE {spell} SET left_on = %(on)s
        WHERE left_on IS NULL AND case_id IN (
            SELECT case_id FROM {MOVING_TABLE} WHERE closing = 1
        )
        """
    ]
    # One UPDATE for every reason (the first arm that holds wins): each reason's own UPDATE
    # read the partition's open cases once more (five reads where one does).
    arms = "\n".join(f"WHEN {condition} THEN '{reason}'" for reason, condition in reasons)
    closing = f"""
        UPDATE {case} AS c SET status = 'closed', closed_on = %(on)s,
            close_reason = CASE {arms} END,
            current_dpd = CASE WHEN p.dpd = 0 THEN 0 ELSE c.current_dpd END,
            bucket = CASE WHEN p.dpd = 0 THEN 'M0' ELSE c.bucket END,
            updated_on = %(on)s, updated_at = CURRENT_TIMESTAMP
        FROM {position} AS p, {loan} AS l
        WHERE p.loan_id = c.loan_id AND l.id = c.loan_id AND {in_range} AND {_CLOSABLE}
          AND (p.dpd = 0 OR l.status <> 'active')
          AND c.id IN (SELECT case_id FROM {MOVING_TABLE} WHERE closing = 1)
        """
    return [*ending, closing]


def reopen_statements(
    *, case: str, spell: str, position: str, loan: str, product: str, in_range: str
) -> list[str]:
    """Reopen the latest case of each active loan overdue again, then start its spell."""
    reopenable = ", ".join(f"'{reason}'" for reason in REOPENABLE)
    return [
        f"""
        UPDATE {case} AS c SET status = 'open', reopened_on = %(on)s,
            reopen_count = c.reopen_count + 1, closed_on = NULL, close_reason = '',
            current_dpd = p.dpd, bucket = p.bucket,
            worst_dpd = CASE WHEN p.dpd > c.worst_dpd THEN p.dpd ELSE c.worst_dpd END,
            updated_on = %(on)s, updated_at = CURRENT_TIMESTAMP
        FROM {position} AS p, {loan} AS l
        WHERE p.loan_id = c.loan_id AND l.id = c.loan_id AND {in_range}
          AND c.status = 'closed' AND c.close_reason IN ({reopenable})
          AND c.closed_on < %(on)s AND l.status = 'active'
          AND p.dpd > 0
          AND p.dpd >= COALESCE(
            (SELECT pr.case_threshold_dpd FROM {product} AS pr WHERE pr.id = l.product_id), 1)
          -- The loan's latest case. Not ``c.id = (SELECT MAX(c2.id) … loan_id = c.loan_id)``:
          -- PostgreSQL walked the primary key down from the newest case of the book until
          -- it met the loan's, for each closed case (4 s a partition at 1,000,000 loans).
          AND NOT EXISTS (
            SELECT 1 FROM {case} AS c2 WHERE c2.loan_id = c.loan_id AND c2.id > c.id
          )
          AND NOT EXISTS (
            SELECT 1 FROM {case} AS o WHERE o.loan_id = c.loan_id AND o.status = 'open'
          )
        """,
        f"""
        INSERT INTO {spell} (case_id, bucket, entered_on, left_on)
        SELECT c.id, c.bucket, %(on)s, NULL
        FROM {case} AS c
        WHERE c.loan_id BETWEEN %(first)s AND %(last)s AND c.reopened_on = %(on)s
          AND c.status = 'open'
          AND NOT EXISTS (
            SELECT 1 FROM {spell} AS s WHERE s.case_id = c.id AND s.entered_on = %(on)s
          )
        """,
    ]
