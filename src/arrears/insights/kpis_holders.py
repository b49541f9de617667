"""Who held a case when something happened on it, in SQL, and the other fragments the KPI
statements over cases share (the creditor scope of cases, a month as instants).

A case's holder on a date is its latest assignment (``cases.CaseAssignment``, appended at
every assignment and reassignment) dated on or before that date; money and contacts are
credited to that team and collector, not to whoever holds the case today.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from arrears.cases.models import CaseAssignment
from arrears.core.sql import table


def holder_sql(case_column: str, day_column: str, field: str) -> str:
    """SQL for ``field`` (``team_id`` or ``assignee_id``) of the assignment that held the
    case ``case_column`` on the date ``day_column``: its latest one dated on or before it."""
    return (
        f"(SELECT a.{field} FROM {table(CaseAssignment)} AS a"
        f' WHERE a.case_id = {case_column} AND a."on" <= {day_column}'
        f' ORDER BY a."on" DESC, a.id DESC LIMIT 1)'
    )


def holder_at_sql(case_column: str, at_column: str, field: str) -> str:
    """As ``holder_sql`` for an instant (an activity's ``at``): the assignment made last at
    or before it."""
    return (
        f"(SELECT a.{field} FROM {table(CaseAssignment)} AS a"
        f" WHERE a.case_id = {case_column} AND a.at <= {at_column}"
        f" ORDER BY a.at DESC, a.id DESC LIMIT 1)"
    )


def case_scope(case_alias: str, creditor_ids: Sequence[int] | None, params: dict[str, Any]) -> str:
    """A ``WHERE`` fragment (starting with AND) keeping cases of ``creditor_ids``."""
    if creditor_ids is None:
        return ""
    names = []
    for index, creditor_id in enumerate(creditor_ids):
        params[f"case_creditor{index}"] = int(creditor_id)
        names.append(f"%(case_creditor{index})s")
    return f" AND {case_alias}.creditor_id IN ({', '.join(names) or 'NULL'})"


def month_instants(first: date, end: date) -> dict[str, Any]:
    """Parameters ``from_at`` and ``to_at``: midnight starting ``first`` and midnight after
    ``end`` in the business time zone, as the database compares stored instants."""
    zone = timezone.get_default_timezone()
    since = datetime.combine(first, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return {
        "from_at": connection.ops.adapt_datetimefield_value(since),
        "to_at": connection.ops.adapt_datetimefield_value(until),
    }
