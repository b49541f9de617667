"""The strategy's cycle step, ``actions_plan``: each open case's playbook, stage and the
actions due today.

For one partition of loans and one business date, set-based and idempotent:

1. cases follow their playbook's current version;
2. open cases without a playbook get the highest-priority active one whose segment
   matches, and experiments split the champion's new cases by a stable hash;
3. each case enters the stage its DPD falls in (a case that first appears at DPD 45
   starts in the 31–90 stage, not in stage 1); a stage a manager set is kept until the DPD
   reaches a later one; ended pauses lift; a repayment plan that became active pauses the
   playbook and one that ended resumes it (``strategies_follow_plans``);
4. the actions whose timing falls on today are planned once per case, action, party and
   date, each passing the compliance gate; tasks are handed to the cases app as work items
   in their queue (``cases.batch.work_items_add``). Messages are taken into the outbox by
   the outreach app's own step, which runs next and reads this step's journal;
5. queued actions of cases closed today are cancelled.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection

from arrears.cases.batch import WORK_ITEM_SOURCE_COLUMNS, work_items_add
from arrears.cases.models import CollectionCase, RepaymentPlan
from arrears.compliance.choices import MESSAGE_CHANNELS
from arrears.core.sql import emptied, execute, table
from arrears.strategy import due, gate
from arrears.strategy.definition import PlaybookDefinition
from arrears.strategy.due import STAGE_TABLE
from arrears.strategy.models import (
    CaseStrategy,
    PlannedAction,
    PlaybookVersion,
    StrategyEvent,
)
from arrears.strategy.playbook_choice import Current, current_playbooks, playbooks_assign


def _follow_versions(first: int, last: int, playbooks: list[Current]) -> int:
    """Cases move to their playbook's current version the day it is published.

    The rows to move are found through the version index, one probe per earlier version of
    the playbook: none on most days. "Playbook is P and version is not V" read every
    strategy row of the playbook, every day."""
    case, strategy, version = table(CollectionCase), table(CaseStrategy), table(PlaybookVersion)
    written = 0
    for current in playbooks:
        written += execute(
            f"""
            UPDATE {strategy} SET version_id = %(version)s
            WHERE version_id IN (SELECT v.id FROM {version} AS v
                                 WHERE v.playbook_id = %(playbook)s AND v.id <> %(version)s)
              AND EXISTS (SELECT 1 FROM {case} AS c
                          WHERE c.id = {strategy}.case_id
                            AND c.loan_id BETWEEN %(first)s AND %(last)s
                            AND c.status = 'open')
            """,
            {
                "first": first,
                "last": last,
                "playbook": current.playbook_id,
                "version": current.version_id,
            },
        )
    return written


_MOVING = "strategy_moving"


def _stage(first: int, last: int, on: date) -> int:
    """Each case enters the stage its DPD falls in; ended pauses lift."""
    case, strategy, event = table(CollectionCase), table(CaseStrategy), table(StrategyEvent)
    params: dict[str, Any] = {"first": first, "last": last, "on": on, "no": False}
    # One read of the partition's open cases against the stage windows finds the cases
    # whose stage moves (into a temporary table); the event and the update read those.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_MOVING} (case_id BIGINT,"
            " name VARCHAR(60), ord INTEGER, entered SMALLINT NOT NULL)"
        )
        cursor.execute(emptied(_MOVING))
        cursor.execute(
            f"""
            INSERT INTO {_MOVING} (case_id, name, ord, entered)
            SELECT cs.case_id, w.name, w.ord, CASE WHEN cs.stage <> w.name THEN 1 ELSE 0 END
            FROM {strategy} AS cs, {case} AS c, {STAGE_TABLE} AS w
            WHERE c.id = cs.case_id AND w.version_id = cs.version_id
              AND c.loan_id BETWEEN %(first)s AND %(last)s AND c.status = 'open'
              AND c.current_dpd BETWEEN w.from_dpd AND w.to_dpd
              AND (cs.stage <> w.name OR cs.stage_order <> w.ord)
              AND NOT (cs.stage_pinned AND w.ord <= cs.stage_order AND cs.stage <> w.name)
            """,
            params,
        )
    statements = [
        f"""
        INSERT INTO {event} (case_id, business_date, kind, detail, reason, by, created_at)
        SELECT m.case_id, %(on)s, 'stage', m.name, '', '', CURRENT_TIMESTAMP
        FROM {_MOVING} AS m WHERE m.entered = 1
        """,
        # A new stage starts today; a renumbered one (a new version) keeps its entry day.
        f"""
        UPDATE {strategy} AS cs SET stage = m.name, stage_order = m.ord,
            stage_entered_on = CASE WHEN m.entered = 1 THEN %(on)s
                                    ELSE cs.stage_entered_on END,
            stage_pinned = CASE WHEN m.entered = 1 THEN %(no)s ELSE cs.stage_pinned END
        FROM {_MOVING} AS m
        WHERE m.case_id = cs.case_id
        """,
        f"""
        INSERT INTO {event} (case_id, business_date, kind, detail, reason, by, created_at)
        SELECT cs.case_id, %(on)s, 'resumed', 'pause ended', '', '', CURRENT_TIMESTAMP
        FROM {strategy} AS cs JOIN {case} AS c ON c.id = cs.case_id
        WHERE c.loan_id BETWEEN %(first)s AND %(last)s AND cs.paused
          AND cs.paused_until < %(on)s
        """,
        f"""
        UPDATE {strategy} SET paused = %(no)s, paused_until = NULL
        WHERE paused AND paused_until < %(on)s AND case_id IN (
            SELECT c.id FROM {case} AS c WHERE c.loan_id BETWEEN %(first)s AND %(last)s)
        """,
    ]
    moved = sum(execute(sql, params) for sql in statements[:2])
    restarted = _restart_reopened(first, last, on)
    return moved + restarted + sum(execute(sql, params) for sql in statements[2:])


def _restart_reopened(first: int, last: int, on: date) -> int:
    """A case reopened today (cured, then overdue again) starts its stage afresh even when
    its DPD falls in the stage it left: day-in-stage counts from the reopening, so the
    stage's first actions are planned again.

    The few reopened cases are read first and their strategy rows reached by key: the same
    statements joined to every strategy row of the book to find none on most days.
    """
    case, strategy, event = table(CollectionCase), table(CaseStrategy), table(StrategyEvent)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.id FROM {case} AS c WHERE c.loan_id BETWEEN %s AND %s"
            " AND c.status = 'open' AND c.reopened_on = %s",
            [first, last, on],
        )
        reopened = [row[0] for row in cursor.fetchall()]
    written = 0
    for start in range(0, len(reopened), 500):
        ids = reopened[start : start + 500]
        marks = ", ".join(["%s"] * len(ids))
        params: list[Any] = [on, *ids, on]
        written += execute(
            f"""
            INSERT INTO {event} (case_id, business_date, kind, detail, reason, by, created_at)
            SELECT cs.case_id, %s, 'stage', cs.stage, 'case reopened', '', CURRENT_TIMESTAMP
            FROM {strategy} AS cs WHERE cs.case_id IN ({marks}) AND cs.stage_entered_on < %s
            """,
            params,
        )
        written += execute(
            f"UPDATE {strategy} SET stage_entered_on = %s, stage_pinned = %s"
            f" WHERE case_id IN ({marks}) AND stage_entered_on < %s",
            [on, False, *ids, on],
        )
    return written


def _cancel_closed(first: int, last: int, on: date) -> int:
    """Queued actions of cases closed today will not happen (the cases app withdraws their
    work items and the outreach app their messages, each in its own step)."""
    case, planned = table(CollectionCase), table(PlannedAction)
    return execute(
        f"""
        UPDATE {planned} SET status = 'cancelled'
        WHERE status IN ('planned', 'queued') AND case_id IN (
            SELECT c.id FROM {case} AS c WHERE c.loan_id BETWEEN %(first)s AND %(last)s
              AND c.status = 'closed' AND c.closed_on = %(on)s)
        """,
        {"first": first, "last": last, "on": on},
    )


def _plan_note(alias: str) -> str:
    # The event's detail names the plan, so each plan pauses and resumes the playbook once.
    return f"'plan ' || CAST({alias}.id AS VARCHAR(20))"


def strategies_follow_plans(*, first: int, last: int, on: date) -> int:
    """Record on each case's strategy what its repayment plans did: a plan active on ``on``
    pauses the playbook (``due`` plans nothing for a case with an active plan), a plan that
    ended resumes it — broken, completed or cancelled. The pause itself is read from the
    plan's status; these events are the record of it, written once per plan."""
    plan, strategy, event = table(RepaymentPlan), table(CaseStrategy), table(StrategyEvent)
    by = connection.ops.quote_name("by")  # a reserved word in SQL
    note = _plan_note("rp")
    params: dict[str, Any] = {"first": first, "last": last, "on": on}
    has_event = f"""
        SELECT 1 FROM {event} AS e
        WHERE e.case_id = rp.case_id AND e.kind = %(kind)s AND e.detail = {note}
    """
    paused = f"""
        INSERT INTO {event} (case_id, business_date, kind, detail, reason, {by}, created_at)
        SELECT rp.case_id, %(on)s, 'paused', {note},
               'repayment plan ' || CAST(rp.id AS VARCHAR(20)) || ' active', 'cycle',
               CURRENT_TIMESTAMP
        FROM {plan} AS rp JOIN {strategy} AS cs ON cs.case_id = rp.case_id
        WHERE rp.loan_id BETWEEN %(first)s AND %(last)s AND rp.status = 'active'
          AND NOT EXISTS ({has_event})
    """
    resumed = f"""
        INSERT INTO {event} (case_id, business_date, kind, detail, reason, {by}, created_at)
        SELECT rp.case_id, rp.ended_on, 'resumed', {note} || ' ' || rp.status,
               CASE rp.status
                   WHEN 'broken' THEN 'repayment plan broken: an installment was missed'
                   WHEN 'completed' THEN 'repayment plan completed'
                   ELSE 'repayment plan ' || CAST(rp.id AS VARCHAR(20)) || ' cancelled' END,
               'cycle', CURRENT_TIMESTAMP
        FROM {plan} AS rp
        WHERE rp.loan_id BETWEEN %(first)s AND %(last)s
          AND rp.status IN ('broken', 'completed', 'cancelled') AND rp.ended_on <= %(on)s
          AND EXISTS ({has_event.replace("%(kind)s", "'paused'")})
          AND NOT EXISTS (
            SELECT 1 FROM {event} AS e WHERE e.case_id = rp.case_id AND e.kind = 'resumed'
              AND e.detail = {note} || ' ' || rp.status)
    """
    return execute(paused, {**params, "kind": "paused"}) + execute(resumed, params)


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _tasks_to_work_items(first: int, last: int, on: date, after_id: int) -> int:
    """Hand the tasks this call planned and the gate let through (calls, visits, reviews,
    placements, referrals) to the cases app as work items in their queue."""
    planned = table(PlannedAction)
    columns = dict(
        zip(
            WORK_ITEM_SOURCE_COLUMNS,
            ("case_id", "loan_id", "party_id", "id", "type", "queue", "rule", "due_at",
             "priority"),
            strict=True,
        )
    )  # fmt: skip
    source = f"""
        SELECT {", ".join(f"pa.{mine} AS {theirs}" for theirs, mine in columns.items())}
        FROM {planned} AS pa
        WHERE pa.id > %(after)s AND pa.business_date = %(on)s
          AND pa.loan_id BETWEEN %(first)s AND %(last)s
          AND pa.status = 'queued' AND pa.channel NOT IN ({_quoted(MESSAGE_CHANNELS)})
    """
    return work_items_add(
        source=source, params={"first": first, "last": last, "on": on, "after": after_id}
    )


def actions_plan(*, first: int, last: int, on: date) -> int:
    """The ``plan`` step for loans ``first``–``last`` on ``on``; returns rows written."""
    playbooks = current_playbooks()
    written = _cancel_closed(first, last, on) + strategies_follow_plans(
        first=first, last=last, on=on
    )
    if not playbooks:
        return written
    versions: dict[int, tuple[str, int, PlaybookDefinition]] = {}
    for current in playbooks:
        versions[current.version_id] = (
            current.definition.title,
            current.number,
            current.definition,
        )
    due.fill_definitions(versions)
    due.fill_due_times(on, versions)
    written += _follow_versions(first, last, playbooks)
    written += playbooks_assign(first, last, on, playbooks)
    written += _stage(first, last, on)
    before = due.last_planned_id()
    written += due.plan_from_rules(first, last, on) + due.plan_one_offs(first, last, on)
    gate.gate(first, last, on, before)
    # Only this call's rows: earlier ones were handed over in the transaction that made them.
    written += _tasks_to_work_items(first, last, on, before)
    return written
