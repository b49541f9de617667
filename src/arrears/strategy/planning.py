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
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from arrears.cases.batch import work_items_cancel_closed, work_items_from_plan
from arrears.cases.models import CollectionCase
from arrears.compliance.batch import Candidate, contact_check_many, time_zone_of
from arrears.core.bulk import bulk_insert
from arrears.cycle.dialect import day_number, table
from arrears.cycle.models import LoanPosition
from arrears.outreach.batch import outbox_cancel_closed, outbox_from_plan
from arrears.portfolio.models import Creditor, Loan, LoanParty, Product
from arrears.strategy import arms
from arrears.strategy.choices import ActionStatus
from arrears.strategy.definition import CHANNEL_OF, PlaybookDefinition, parse, rule_sentence
from arrears.strategy.models import (
    CaseStrategy,
    Experiment,
    OneOffAction,
    PlannedAction,
    Playbook,
    PlaybookVersion,
    StrategyEvent,
)

RULE_TABLE = "strategy_rule"
STAGE_TABLE = "strategy_stage"
OPEN_END = 1_000_000  # the upper DPD of an open-ended stage, so windows compare plainly
PLANNER = "strategy:plan"


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


def _execute(sql: str, params: dict[str, Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _fill_definitions(versions: dict[int, tuple[str, int, PlaybookDefinition]]) -> None:
    """The per-connection temporary tables of stage windows and action rules."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE_TABLE} (version_id BIGINT,"
            " name VARCHAR(60), ord INTEGER, from_dpd INTEGER, to_dpd INTEGER)"
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {RULE_TABLE} (version_id BIGINT,"
            " stage VARCHAR(60), action VARCHAR(130), type VARCHAR(20), target_role VARCHAR(20),"
            " by_dpd INTEGER, start INTEGER, every INTEGER, until INTEGER)"
        )
        cursor.execute(f"DELETE FROM {STAGE_TABLE}")
        cursor.execute(f"DELETE FROM {RULE_TABLE}")
        stages, rules = [], []
        for version_id, (_title, _number, definition) in versions.items():
            for order, stage in enumerate(definition.stages, start=1):
                to_dpd = OPEN_END if stage.to_dpd is None else stage.to_dpd
                stages.append((version_id, stage.name, order, stage.from_dpd, to_dpd))
                for rule in stage.actions:
                    by_dpd = rule.at_dpd is not None
                    start = rule.at_dpd if by_dpd else rule.on_day
                    until = rule.until_dpd if by_dpd else rule.until_day
                    rules.append(
                        (
                            version_id,
                            stage.name,
                            f"{stage.name}/{rule.name}",
                            rule.type,
                            rule.target,
                            1 if by_dpd else 0,
                            start,
                            rule.every,
                            until,
                        )
                    )
        if stages:
            cursor.executemany(f"INSERT INTO {STAGE_TABLE} VALUES (%s, %s, %s, %s, %s)", stages)
        if rules:
            cursor.executemany(
                f"INSERT INTO {RULE_TABLE} VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", rules
            )


def _segment_sql(current: Current, params: dict[str, Any]) -> str:
    """WHERE conditions (over c, l, pr, cr, p) for the playbook's segment."""
    segment = current.definition.segment
    conditions = []

    def among(column: str, values: tuple[str, ...], key: str) -> None:
        if values:
            names = []
            for index, value in enumerate(values):
                params[f"{key}{index}"] = value
                names.append(f"%({key}{index})s")
            conditions.append(f"{column} IN ({', '.join(names)})")

    among("cr.name", segment.creditors, "seg_creditor")
    among("pr.code", segment.products, "seg_product")
    among("l.guarantee_type", segment.guarantee_types, "seg_guarantee")
    among("l.branch", segment.branches, "seg_branch")
    among("p.classification", segment.classifications, "seg_class")
    overdue = "(p.overdue_principal + p.overdue_interest + p.overdue_fees + p.overdue_penalty)"
    if segment.amount_min_fen is not None:
        params["seg_min"] = segment.amount_min_fen
        conditions.append(f"{overdue} >= %(seg_min)s")
    if segment.amount_max_fen is not None:
        params["seg_max"] = segment.amount_max_fen
        conditions.append(f"{overdue} <= %(seg_max)s")
    return " AND ".join(conditions) or "1 = 1"


def _assign(first: int, last: int, on: date, playbooks: list[Current]) -> int:
    """Give each open case without a playbook the first one whose segment matches."""
    case, strategy, loan = table(CollectionCase), table(CaseStrategy), table(Loan)
    product, creditor, position = table(Product), table(Creditor), table(LoanPosition)
    written = 0
    for current in playbooks:
        params: dict[str, Any] = {
            "first": first,
            "last": last,
            "on": on,
            "playbook": current.playbook_id,
            "version": current.version_id,
            "no": False,
        }
        segment = _segment_sql(current, params)
        written += _execute(
            f"""
            INSERT INTO {strategy} (case_id, playbook_id, version_id, assigned_on, stage,
                                    stage_order, stage_entered_on, stage_pinned, experiment_id,
                                    arm, paused, paused_until)
            SELECT c.id, %(playbook)s, %(version)s, %(on)s, '', 0, NULL, %(no)s, NULL, '',
                   %(no)s, NULL
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
              AND {segment}
            """,
            params,
        )
    if written:
        written += _split(first, last, on, {c.playbook_id: c for c in playbooks})
    return written


def _split(first: int, last: int, on: date, by_playbook: dict[int, Current]) -> int:
    """Experiments: today's new cases of a champion go to the challenger by a stable hash."""
    case, strategy = table(CollectionCase), table(CaseStrategy)
    written = 0
    for experiment in Experiment.objects.filter(active=True):
        challenger = by_playbook.get(experiment.challenger_id)
        if challenger is None or experiment.champion_id not in by_playbook:
            continue  # an arm without a current version cannot take cases
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT cs.case_id FROM {strategy} AS cs JOIN {case} AS c ON c.id = cs.case_id
                WHERE c.loan_id BETWEEN %(first)s AND %(last)s AND cs.assigned_on = %(on)s
                  AND cs.playbook_id = %(champion)s AND cs.experiment_id IS NULL
                """,
                {"first": first, "last": last, "on": on, "champion": experiment.champion_id},
            )
            case_ids = [row[0] for row in cursor.fetchall()]
        to_challenger = [
            case_id
            for case_id in case_ids
            if arms.is_challenger(experiment.name, case_id, experiment.challenger_percent)
        ]
        written += CaseStrategy.objects.filter(case_id__in=case_ids).update(
            experiment=experiment, arm="champion"
        )
        for start in range(0, len(to_challenger), 5_000):
            CaseStrategy.objects.filter(case_id__in=to_challenger[start : start + 5_000]).update(
                playbook_id=challenger.playbook_id,
                version_id=challenger.version_id,
                arm="challenger",
            )
    return written


def _follow_versions(first: int, last: int, playbooks: list[Current]) -> int:
    """Cases move to their playbook's current version the day it is published."""
    case, strategy = table(CollectionCase), table(CaseStrategy)
    written = 0
    for current in playbooks:
        written += _execute(
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
        f"""
        UPDATE {strategy} AS cs SET stage_entered_on = %(on)s, stage_pinned = %(no)s
        FROM {case} AS c, {STAGE_TABLE} AS w
        WHERE {moving} AND cs.stage <> w.name
        """,
        # After the entry date is set, so a version's renumbering keeps the entry date.
        f"""
        UPDATE {strategy} AS cs SET stage = w.name, stage_order = w.ord
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
    return sum(_execute(sql, params) for sql in statements)


@dataclass(frozen=True)
class Due:
    """An action due today for one party of one case, before the gate."""

    case_id: int
    loan_id: int
    party_id: int
    role: str
    creditor_id: int
    action: str
    version_id: int | None
    stage: str
    arm: str
    type: str
    rule: str
    clock: time
    template: str
    queue: str
    priority: int


def _due_from_playbooks(
    first: int, last: int, on: date, versions: dict[int, tuple[str, int, PlaybookDefinition]]
) -> list[Due]:
    case, strategy, loan_party = table(CollectionCase), table(CaseStrategy), table(LoanParty)
    loan, planned = table(Loan), table(PlannedAction)
    entered = day_number("cs.stage_entered_on")
    x = f"(CASE WHEN r.by_dpd = 1 THEN c.current_dpd ELSE %(today)s - {entered} + 1 END)"
    sql = f"""
        SELECT cs.case_id, c.loan_id, lp.party_id, lp.role, l.creditor_id, r.action,
               cs.version_id, cs.stage, cs.arm
        FROM {strategy} AS cs
        JOIN {case} AS c ON c.id = cs.case_id
        JOIN {RULE_TABLE} AS r ON r.version_id = cs.version_id AND r.stage = cs.stage
        JOIN {loan_party} AS lp ON lp.loan_id = c.loan_id AND lp.role = r.target_role
        JOIN {loan} AS l ON l.id = c.loan_id
        WHERE c.loan_id BETWEEN %(first)s AND %(last)s
          AND lp.loan_id BETWEEN %(first)s AND %(last)s
          AND l.id BETWEEN %(first)s AND %(last)s
          AND c.status = 'open' AND cs.stage_entered_on IS NOT NULL
          AND NOT (cs.paused AND (cs.paused_until IS NULL OR cs.paused_until >= %(on)s))
          AND {x} >= r.start
          AND ((r.every IS NULL AND {x} = r.start)
               OR (r.every IS NOT NULL AND ({x} - r.start) %% r.every = 0))
          AND (r.until IS NULL OR {x} <= r.until)
          AND NOT EXISTS (
            SELECT 1 FROM {planned} AS pa
            WHERE pa.case_id = cs.case_id AND pa.business_date = %(on)s
              AND pa.action = r.action AND pa.party_id = lp.party_id)
    """
    rules = {
        (version_id, stage.name, f"{stage.name}/{rule.name}"): (number, title, stage, rule)
        for version_id, (title, number, definition) in versions.items()
        for stage in definition.stages
        for rule in stage.actions
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, {"first": first, "last": last, "on": on, "today": on.toordinal()})
        rows = cursor.fetchall()
    due = []
    for case_id, loan_id, party_id, role, creditor_id, action, version_id, stage_name, arm in rows:
        number, title, stage, rule = rules[(version_id, stage_name, action)]
        due.append(
            Due(
                case_id,
                loan_id,
                party_id,
                role,
                creditor_id,
                action,
                version_id,
                stage_name,
                arm,
                rule.type,
                rule_sentence(title, number, stage, rule),
                _clock(rule.time),
                rule.template,
                rule.queue,
                rule.priority,
            )
        )
    return due


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _due_one_offs(first: int, last: int, on: date) -> list[Due]:
    case, strategy, loan_party = table(CollectionCase), table(CaseStrategy), table(LoanParty)
    loan, planned, one_off = table(Loan), table(PlannedAction), table(OneOffAction)
    sql = f"""
        SELECT o.id, o.case_id, c.loan_id, lp.party_id, lp.role, l.creditor_id, o.type,
               o.title, o.template, o.queue, o.by, o.reason, cs.version_id, cs.stage, cs.arm
        FROM {one_off} AS o
        JOIN {case} AS c ON c.id = o.case_id
        JOIN {loan_party} AS lp ON lp.loan_id = c.loan_id AND lp.role = o.target_role
        JOIN {loan} AS l ON l.id = c.loan_id
        LEFT JOIN {strategy} AS cs ON cs.case_id = c.id
        WHERE o.business_date = %(on)s AND c.loan_id BETWEEN %(first)s AND %(last)s
          AND c.status = 'open'
          AND NOT EXISTS (
            SELECT 1 FROM {planned} AS pa WHERE pa.case_id = o.case_id AND pa.business_date = %(on)s
              AND pa.action = 'one-off/' || CAST(o.id AS VARCHAR(20))
              AND pa.party_id = lp.party_id)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"first": first, "last": last, "on": on})
        rows = cursor.fetchall()
    return [
        Due(
            case_id,
            loan_id,
            party_id,
            role,
            creditor_id,
            f"one-off/{one_off_id}",
            version_id,
            stage or "",
            arm or "",
            kind,
            f"{title} · 一次性 ({by}: {reason})"[:400],
            time(9, 0),
            template,
            queue,
            70,
        )
        for (
            one_off_id,
            case_id,
            loan_id,
            party_id,
            role,
            creditor_id,
            kind,
            title,
            template,
            queue,
            by,
            reason,
            version_id,
            stage,
            arm,
        ) in rows
    ]


def _gate_and_store(due: list[Due], on: date) -> int:
    """Judge every contact at its due time and journal the planned actions."""
    zones = time_zone_of({d.creditor_id for d in due})
    due_at = [datetime.combine(on, d.clock, tzinfo=ZoneInfo(zones[d.creditor_id])) for d in due]
    contacts = [i for i, d in enumerate(due) if CHANNEL_OF[d.type] is not None]
    decisions = contact_check_many(
        [
            Candidate(
                creditor_id=due[i].creditor_id,
                loan_id=due[i].loan_id,
                party_id=due[i].party_id,
                role=due[i].role,
                channel=CHANNEL_OF[due[i].type] or "",
                at=due_at[i],
                purpose=due[i].type,
                # A visit is planned for the two staff the rules require; the gate checks
                # the staff actually sent when the visit is recorded.
                staff=2 if due[i].type == "visit" else 1,
            )
            for i in contacts
        ],
        asked_by=PLANNER,
    )
    verdict = dict(zip(contacts, decisions, strict=True))
    # Stored as the ORM stores them (UTC; on SQLite, text that sorts in time order).
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    rows = []
    for index, item in enumerate(due):
        status, reasons, when = ActionStatus.QUEUED, "[]", due_at[index]
        decision = verdict.get(index)
        if decision is not None and not decision.allowed:
            if decision.next_allowed_at is None:
                status = ActionStatus.BLOCKED
                reasons = _json(decision.reasons)
            else:
                # Only time stands in the way: the action waits for the next allowed moment.
                when = decision.next_allowed_at
        rows.append(
            (
                item.case_id,
                item.loan_id,
                item.party_id,
                on,
                adapt(when),
                item.action,
                item.type,
                item.role,
                CHANNEL_OF[item.type] or "",
                item.version_id,
                item.stage,
                item.rule,
                item.template,
                item.queue,
                item.priority,
                item.arm,
                status,
                reasons,
                now,
            )
        )
    return bulk_insert(
        PlannedAction._meta.db_table,
        [
            "case_id",
            "loan_id",
            "party_id",
            "business_date",
            "due_at",
            "action",
            "type",
            "target_role",
            "channel",
            "version_id",
            "stage",
            "rule",
            "template",
            "queue",
            "priority",
            "arm",
            "status",
            "blocked_reasons",
            "created_at",
        ],
        rows,
    )


def _json(reasons: list[str]) -> str:
    import json

    return json.dumps(reasons, ensure_ascii=False)


def _cancel_closed(first: int, last: int, on: date) -> int:
    """Queued actions of cases closed today will not happen."""
    case, planned = table(CollectionCase), table(PlannedAction)
    written = _execute(
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


def plan_actions(first: int, last: int, on: date) -> int:
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
    _fill_definitions(versions)
    written += _follow_versions(first, last, playbooks)
    written += _assign(first, last, on, playbooks)
    written += _stage(first, last, on)
    due = _due_from_playbooks(first, last, on, versions) + _due_one_offs(first, last, on)
    if due:
        written += _gate_and_store(due, on)
    written += outbox_from_plan(first, last, on)
    written += work_items_from_plan(first, last, on)
    return written
