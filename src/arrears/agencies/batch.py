"""The daily cycle's placement step: placements whose term is over, or whose case closed,
end, and their cases come back from the agency. Set-based: three statements per
partition whatever its size, idempotent (a second run finds nothing active to end)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection

from arrears.agencies.models import Placement
from arrears.cases.models import CollectionCase
from arrears.core.audit import audit_record
from arrears.core.sql import execute, table


def placements_expire(*, first: int, last: int, on: date) -> int:
    """End the active placements of loans ``first``–``last`` whose term is over by ``on``
    (ended on their ``ends_on``, reason ``end_of_term``) or whose case is no longer open
    (ended on the day it closed, reason ``paid``); clear those cases' agency. One audit
    entry names the placements ended, when there are any. Returns rows written."""
    placement, case = table(Placement), table(CollectionCase)
    params: dict[str, Any] = {"first": first, "last": last, "on": on}
    in_range = "status = 'active' AND loan_id BETWEEN %(first)s AND %(last)s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT p.id FROM {placement} AS p
            WHERE p.status = 'active' AND p.loan_id BETWEEN %(first)s AND %(last)s
              AND (p.ends_on <= %(on)s OR EXISTS (
                SELECT 1 FROM {case} AS c WHERE c.id = p.case_id AND c.status <> 'open'))
            ORDER BY p.id
            """,
            params,
        )
        ending = [int(row[0]) for row in cursor.fetchall()]
    # The case closed first: its closing day, never before the placement began.
    closed = execute(
        f"""
        UPDATE {placement} SET status = 'ended', recall_reason = 'paid',
            recalled_on = COALESCE((SELECT c.closed_on FROM {case} AS c
                                    WHERE c.id = {placement}.case_id), %(on)s),
            updated_at = CURRENT_TIMESTAMP
        WHERE {in_range} AND EXISTS (
            SELECT 1 FROM {case} AS c WHERE c.id = {placement}.case_id AND c.status <> 'open')
        """,
        params,
    )
    expired = execute(
        f"""
        UPDATE {placement} SET status = 'ended', recall_reason = 'end_of_term',
            recalled_on = ends_on, updated_at = CURRENT_TIMESTAMP
        WHERE {in_range} AND ends_on <= %(on)s
        """,
        params,
    )
    released = execute(
        f"""
        UPDATE {case} SET agency_id = NULL, updated_at = CURRENT_TIMESTAMP
        WHERE agency_id IS NOT NULL AND loan_id BETWEEN %(first)s AND %(last)s
          AND NOT EXISTS (SELECT 1 FROM {placement} AS p
                          WHERE p.case_id = {case}.id AND p.status = 'active')
        """,
        params,
    )
    if closed or expired:
        audit_record(
            actor=None,
            action="agency.placements_end",
            subject_type="agencies.Placement",
            subject_id=f"{first}-{last}",
            data={
                "on": on.isoformat(),
                "end_of_term": expired,
                "case_closed": closed,
                "placements": ending,
            },
        )
    return closed + expired + released
