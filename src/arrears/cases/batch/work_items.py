"""Work items made in bulk: the set-based hand-over of the tasks the strategy planned
(``work_items_add``), so the strategy never writes this app's table."""

from __future__ import annotations

from typing import Any

from arrears.cases.models import WorkItem
from arrears.core.sql import execute, table

# What ``work_items_add`` reads from its source, in this order.
WORK_ITEM_SOURCE_COLUMNS = (
    "case_id",
    "loan_id",
    "party_id",
    "planned_action_id",
    "type",
    "queue",
    "title",
    "due_at",
    "priority",
)


def work_items_add(*, source: str, params: dict[str, Any]) -> int:
    """Queue an open work item for every row of ``source``, a SELECT (with ``params``) that
    yields ``WORK_ITEM_SOURCE_COLUMNS`` in order — set-based, for the strategy's plan step,
    which hands over the tasks it planned without writing this app's table. A row whose
    ``planned_action_id`` has a work item already is skipped, so a step run twice adds
    nothing; the link is how the planned action learns it was carried out."""
    item = table(WorkItem)
    return execute(
        f"""
        INSERT INTO {item} (case_id, loan_id, party_id, planned_action_id, type, queue,
                            title, due_at, priority, status, closed_at, created_at)
        SELECT s.case_id, s.loan_id, s.party_id, s.planned_action_id, s.type, s.queue,
               s.title, s.due_at, s.priority, 'open', NULL, CURRENT_TIMESTAMP
        FROM ({source}) AS s
        WHERE NOT EXISTS (
            SELECT 1 FROM {item} AS w WHERE w.planned_action_id = s.planned_action_id)
        """,
        params,
    )
