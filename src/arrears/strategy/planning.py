"""The cycle's ``plan`` step: each open case's playbook, stage and the actions due today.

For one partition of loans and one business date, set-based and idempotent:

1. cases follow their playbook's current version;
2. open cases without a playbook get the highest-priority active one whose segment
   matches, and experiments split the champion's new cases by a stable hash;
3. each case enters the stage its DPD falls in (a case that first appears at DPD 45
   starts in the 31–90 stage, not in stage 1); a stage a manager set is kept until the DPD
   reaches a later one; ended pauses lift;
4. the actions whose timing falls on today are planned once per case, action, party and
   date, each passing the compliance gate: messages go to the outbox (queued, or blocked
   with every reason), tasks become work items in their queue;
5. queued messages and open work items of cases closed today are cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import connection

from arrears.cases.batch import work_items_cancel_closed, work_items_from_plan
from arrears.cases.models import CollectionCase
from arrears.core.sql import execute, table
from arrears.outreach.batch import outbox_cancel_closed, outbox_from_plan
from arrears.portfolio.models import Creditor, Loan, LoanPosition, Product
from arrears.strategy import arms, due
from arrears.strategy.definition import PlaybookDefinition, parse
from arrears.strategy.due import STAGE_TABLE
from arrears.strategy.models import (
    CaseStrategy,
    Experiment,
    PlannedAction,
    Playbook,
    PlaybookVersion,
    StrategyEvent,
)


@dataclass(frozen=True)
class Current:
    """An active playbook and its current version."""

    playbook_id: int
    version_id: int
    number: int
    definition: PlaybookDefinition


@lru_cache(maxsize=256)
def _parsed(version_id: int) -> PlaybookDefinition:
    # Versions never change, so each is parsed once per process.
    data = PlaybookVersion.objects.values_list("definition", flat=True).get(pk=version_id)
    return parse(data)


def current_playbooks() -> list[Current]:
    """Active playbooks with a version, highest priority first."""
    rows = (
        Playbook.objects.filter(active=True, version__gt=0)
        .order_by("-priority", "name")
        .values_list("pk", "version")
    )
    found = []
    for playbook_id, number in rows:
        version_id = PlaybookVersion.objects.values_list("pk", flat=True).get(
            playbook_id=playbook_id, number=number
        )
        found.append(Current(playbook_id, version_id, number, _parsed(version_id)))
    return found


def _segment_sql(current: Current, params: dict[str, Any], prefix: str) -> str:
    """A condition (over c, l, pr, cr, p) for the playbook's segment."""
    segment = current.definition.segment
    conditions = []

    def among(column: str, values: tuple[str, ...], key: str) -> None:
        if values:
            names = []
            for index, value in enumerate(values):
                params[f"{prefix}{key}{index}"] = value
                names.append(f"%({prefix}{key}{index})s")
            conditions.append(f"{column} IN ({', '.join(names)})")

    among("cr.name", segment.creditors, "creditor")
    among("pr.code", segment.products, "product")
    among("l.guarantee_type", segment.guarantee_types, "guarantee")
    among("l.branch", segment.branches, "branch")
    among("p.classification", segment.classifications, "class")
    overdue = "(p.overdue_principal + p.overdue_interest + p.overdue_fees + p.overdue_penalty)"
    if segment.amount_min_fen is not None:
        params[f"{prefix}min"] = segment.amount_min_fen
        conditions.append(f"{overdue} >= %({prefix}min)s")
    if segment.amount_max_fen is not None:
        params[f"{prefix}max"] = segment.amount_max_fen
        conditions.append(f"{overdue} <= %({prefix}max)s")
    return "(" + (" AND ".join(conditions) or "1 = 1") + ")"


NEW_CASE_TABLE = "strategy_new_case"


def _assign(first: int, last: int, on: date, playbooks: list[Current]) -> int:
    """Give each open case without a playbook the first one (by priority) whose segment
    matches — or an experiment's challenger — in the stage its DPD falls in.

    The choice is made in a temporary table first, so the experiment split, the strategy
    rows and the "assigned" events each read a small, counted table."""
    case, strategy, loan = table(CollectionCase), table(CaseStrategy), table(Loan)
    product, creditor, position = table(Product), table(Creditor), table(LoanPosition)
    params: dict[str, Any] = {"first": first, "last": last}
    choose_playbook, choose_version, any_segment = [], [], []
    for index, current in enumerate(playbooks):
        segment = _segment_sql(current, params, f"s{index}_")
        params[f"p{index}"], params[f"v{index}"] = current.playbook_id, current.version_id
        choose_playbook.append(f"WHEN {segment} THEN %(p{index})s")
        choose_version.append(f"WHEN {segment} THEN %(v{index})s")
        any_segment.append(segment)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {NEW_CASE_TABLE} (case_id BIGINT PRIMARY KEY,"
            " dpd INTEGER, playbook_id BIGINT, version_id BIGINT, experiment_id BIGINT,"
            " arm VARCHAR(10))"
        )
        cursor.execute(f"DELETE FROM {NEW_CASE_TABLE}")
        cursor.execute(
            f"""
            INSERT INTO {NEW_CASE_TABLE}
            SELECT c.id, c.current_dpd, CASE {" ".join(choose_playbook)} END,
                   CASE {" ".join(choose_version)} END, NULL, ''
            FROM {case} AS c
            JOIN {loan} AS l ON l.id = c.loan_id
            JOIN {creditor} AS cr ON cr.id = l.creditor_id
            LEFT JOIN {product} AS pr ON pr.id = l.product_id
            JOIN {position} AS p ON p.loan_id = c.loan_id
            WHERE c.loan_id BETWEEN %(first)s AND %(last)s
              AND l.id BETWEEN %(first)s AND %(last)s
              AND p.loan_id BETWEEN %(first)s AND %(last)s
              AND c.status = 'open'
              AND NOT EXISTS (SELECT 1 FROM {strategy} AS cs WHERE cs.case_id = c.id)
              AND ({" OR ".join(any_segment)})
            """,
            params,
        )
        if cursor.rowcount == 0:
            return 0
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {NEW_CASE_TABLE}")
    _split({c.playbook_id: c for c in playbooks})
    playbook, version, event = table(Playbook), table(PlaybookVersion), table(StrategyEvent)
    chosen = f"""
        FROM {NEW_CASE_TABLE} AS n
        LEFT JOIN {STAGE_TABLE} AS w
          ON w.version_id = n.version_id AND n.dpd BETWEEN w.from_dpd AND w.to_dpd
    """
    written = execute(
        f"""
        INSERT INTO {strategy} (case_id, playbook_id, version_id, assigned_on, stage,
                                stage_order, stage_entered_on, stage_pinned, experiment_id,
                                arm, paused, paused_until)
        SELECT n.case_id, n.playbook_id, n.version_id, %(on)s, COALESCE(w.name, ''),
               COALESCE(w.ord, 0), CASE WHEN w.name IS NULL THEN NULL ELSE %(on)s END,
               %(no)s, n.experiment_id, n.arm, %(no)s, NULL
        {chosen}
        """,
        {"on": on, "no": False},
    )
    written += execute(
        f"""
        INSERT INTO {event} (case_id, business_date, kind, detail, reason, by, created_at)
        SELECT n.case_id, %(on)s, 'assigned',
               pb.name || ' v' || CAST(v.number AS VARCHAR(10))
               || CASE WHEN n.arm <> '' THEN ' (' || n.arm || ')' ELSE '' END
               || CASE WHEN w.name IS NULL THEN '' ELSE ' › ' || w.name END,
               '', '', CURRENT_TIMESTAMP
        {chosen}
        JOIN {playbook} AS pb ON pb.id = n.playbook_id
        JOIN {version} AS v ON v.id = n.version_id
        """,
        {"on": on},
    )
    return written


def _split(by_playbook: dict[int, Current]) -> None:
    """Experiments: new cases of a champion go to the challenger by a stable hash of the
    case (``arms``), the rest stay with the champion; both are marked with their arm."""
    for experiment in Experiment.objects.filter(active=True).order_by("name"):
        challenger = by_playbook.get(experiment.challenger_id)
        if challenger is None or experiment.champion_id not in by_playbook:
            continue  # an arm without a current version cannot take cases
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT case_id FROM {NEW_CASE_TABLE}"
                " WHERE playbook_id = %s AND experiment_id IS NULL",
                [experiment.champion_id],
            )
            case_ids = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                f"UPDATE {NEW_CASE_TABLE} SET experiment_id = %s, arm = 'champion'"
                " WHERE playbook_id = %s AND experiment_id IS NULL",
                [experiment.pk, experiment.champion_id],
            )
            to_challenger = [
                case_id
                for case_id in case_ids
                if arms.is_challenger(experiment.name, case_id, experiment.challenger_percent)
            ]
            for start in range(0, len(to_challenger), 5_000):
                chunk = to_challenger[start : start + 5_000]
                cursor.execute(
                    f"UPDATE {NEW_CASE_TABLE} SET playbook_id = %s, version_id = %s,"
                    f" arm = 'challenger' WHERE case_id IN ({', '.join(['%s'] * len(chunk))})",
                    [challenger.playbook_id, challenger.version_id, *chunk],
                )


def _follow_versions(first: int, last: int, playbooks: list[Current]) -> int:
    """Cases move to their playbook's current version the day it is published."""
    case, strategy = table(CollectionCase), table(CaseStrategy)
    written = 0
    for current in playbooks:
        written += execute(
            f"""
            UPDATE {strategy} SET version_id = %(version)s
            WHERE playbook_id = %(playbook)s AND version_id <> %(version)s
              AND case_id IN (SELECT c.id FROM {case} AS c
                              WHERE c.loan_id BETWEEN %(first)s AND %(last)s
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


def _stage(first: int, last: int, on: date) -> int:
    """Each case enters the stage its DPD falls in; ended pauses lift."""
    case, strategy, event = table(CollectionCase), table(CaseStrategy), table(StrategyEvent)
    params: dict[str, Any] = {"first": first, "last": last, "on": on, "no": False}
    moving = """
        c.id = cs.case_id AND w.version_id = cs.version_id
        AND c.loan_id BETWEEN %(first)s AND %(last)s AND c.status = 'open'
        AND c.current_dpd BETWEEN w.from_dpd AND w.to_dpd
        AND (cs.stage <> w.name OR cs.stage_order <> w.ord)
        AND NOT (cs.stage_pinned AND w.ord <= cs.stage_order AND cs.stage <> w.name)
    """
    statements = [
        f"""
        INSERT INTO {event} (case_id, business_date, kind, detail, reason, by, created_at)
        SELECT cs.case_id, %(on)s, 'stage', w.name, '', '', CURRENT_TIMESTAMP
        FROM {strategy} AS cs, {case} AS c, {STAGE_TABLE} AS w
        WHERE {moving} AND cs.stage <> w.name
        """,
        # A new stage starts today; a renumbered one (a new version) keeps its entry day.
        # SET reads the row as it was, so cs.stage is the old stage throughout.
        f"""
        UPDATE {strategy} AS cs SET stage = w.name, stage_order = w.ord,
            stage_entered_on = CASE WHEN cs.stage <> w.name THEN %(on)s
                                    ELSE cs.stage_entered_on END,
            stage_pinned = CASE WHEN cs.stage <> w.name THEN %(no)s ELSE cs.stage_pinned END
        FROM {case} AS c, {STAGE_TABLE} AS w
        WHERE {moving}
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
    return sum(execute(sql, params) for sql in statements)


def _cancel_closed(first: int, last: int, on: date) -> int:
    """Queued actions of cases closed today will not happen."""
    case, planned = table(CollectionCase), table(PlannedAction)
    written = execute(
        f"""
        UPDATE {planned} SET status = 'cancelled'
        WHERE status IN ('planned', 'queued') AND case_id IN (
            SELECT c.id FROM {case} AS c WHERE c.loan_id BETWEEN %(first)s AND %(last)s
              AND c.status = 'closed' AND c.closed_on = %(on)s)
        """,
        {"first": first, "last": last, "on": on},
    )
    written += outbox_cancel_closed(first, last, on)
    written += work_items_cancel_closed(first, last, on)
    return written


def plan_actions(*, first: int, last: int, on: date) -> int:
    """The ``plan`` step for loans ``first``–``last`` on ``on``; returns rows written."""
    playbooks = current_playbooks()
    written = _cancel_closed(first, last, on)
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
    written += _assign(first, last, on, playbooks)
    written += _stage(first, last, on)
    before = due.last_planned_id()
    written += due.plan_from_rules(first, last, on) + due.plan_one_offs(first, last, on)
    due.gate(first, last, on, before)
    # Only this call's rows: earlier ones were handed over in the transaction that made them.
    written += outbox_from_plan(first, last, on, before)
    written += work_items_from_plan(first, last, on, before)
    return written
