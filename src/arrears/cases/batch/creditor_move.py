"""Cases follow their loans to another creditor (an assignment of debts, 债权转让).

A collection case is scoped by its creditor and its team (``cases.scoping``): once a loan
belongs to another creditor, the old creditor's managers, team leads and collectors must no
longer see its cases. So every case of a moved loan, open or closed, takes the new creditor
and leaves its team and collector, with a history row saying why (rule ``stage_change``,
the reason naming the assignment). The next daily assignment (``cases_assign``) routes the
open ones to the new creditor's team for their bucket, as it routes any case without a team.

Set-based: the caller (the transfers app) names the loans by a query of its own; two
statements write this app's tables whatever the number of cases.

The open case of a moved loan closes as ``sold`` on the assignment date (its spell ends, its
open work is withdrawn): the old creditor's collection of the debt is over. It moves with
the others, so the buyer sees the debt's history; the next daily cycle opens the buyer's own
case when the loan is still overdue (a ``sold`` case never reopens).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import connection

from arrears.cases.batch.assignment import HISTORY_COLUMNS
from arrears.cases.choices import AssignmentRule
from arrears.cases.models import CaseAssignment, CaseBucketSpell, CollectionCase, WorkItem
from arrears.core.sql import table


def cases_creditor_move(
    *,
    source: str,
    params: dict[str, Any],
    to_creditor_id: int,
    on: date,
    at: datetime,
    reason: str,
) -> int:
    """Give every case of the loans ``source`` selects (a one-column SELECT of loan primary
    keys, run with ``params``) to creditor ``to_creditor_id``, out of its team and away from
    its collector; ``reason`` goes on the history row of each case that had either. Call in
    the caller's transaction; returns the cases moved."""
    case, assignment = table(CollectionCase), table(CaseAssignment)
    columns = ", ".join(connection.ops.quote_name(name) for name in HISTORY_COLUMNS)
    values = {
        **params,
        "move_to": to_creditor_id,
        "move_on": on,
        "move_at": connection.ops.adapt_datetimefield_value(at),
        "move_rule": AssignmentRule.STAGE_CHANGE.value,
        "move_reason": reason,
    }
    moving = f"c.loan_id IN ({source}) AND c.creditor_id <> %(move_to)s"
    with connection.cursor() as cursor:
        # History first, while the case rows still say who had them.
        cursor.execute(
            f"""
            INSERT INTO {assignment} ({columns})
            SELECT c.id, NULL, NULL, c.assignee_id, %(move_rule)s, %(move_reason)s, NULL,
                   %(move_on)s, %(move_at)s
            FROM {case} AS c
            WHERE {moving} AND (c.team_id IS NOT NULL OR c.assignee_id IS NOT NULL)
            """,
            values,
        )
        # The old creditor's open case ends here: spell, open work, then the case itself.
        cursor.execute(
            f"""
            UPDATE {table(CaseBucketSpell)} SET left_on = %(move_on)s
            WHERE left_on IS NULL AND case_id IN (
                SELECT c.id FROM {case} AS c WHERE {moving} AND c.status = 'open')
            """,
            values,
        )
        cursor.execute(
            f"""
            UPDATE {table(WorkItem)} SET status = 'cancelled', closed_at = CURRENT_TIMESTAMP
            WHERE status = 'open' AND case_id IN (
                SELECT c.id FROM {case} AS c WHERE {moving} AND c.status = 'open')
            """,
            values,
        )
        cursor.execute(
            f"""
            UPDATE {case} SET status = 'closed', close_reason = 'sold',
                closed_on = CASE WHEN opened_on > %(move_on)s THEN opened_on ELSE %(move_on)s END,
                updated_on = %(move_on)s, updated_at = CURRENT_TIMESTAMP
            WHERE id IN (SELECT c.id FROM {case} AS c WHERE {moving} AND c.status = 'open')
            """,
            values,
        )
        cursor.execute(
            f"""
            UPDATE {case} SET creditor_id = %(move_to)s, team_id = NULL, assignee_id = NULL,
                assigned_on = NULL, updated_at = CURRENT_TIMESTAMP
            WHERE id IN (SELECT c.id FROM {case} AS c WHERE {moving})
            """,
            values,
        )
        return max(cursor.rowcount, 0)
