"""Today's actions for one partition, planned in SQL: one ``INSERT … SELECT`` per source
(playbook rules, one-off actions), queued by default; ``strategy.gate`` then judges them.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from arrears.cases.models import CollectionCase, RepaymentPlan
from arrears.compliance.batch import (
    time_zone_of,
)
from arrears.core.sql import day_number, emptied, table
from arrears.portfolio.models import Creditor, Loan, LoanParty
from arrears.strategy.definition import CHANNEL_OF, PlaybookDefinition, rule_sentence
from arrears.strategy.models import CaseStrategy, OneOffAction, PlannedAction

RULE_TABLE = "strategy_rule"
STAGE_TABLE = "strategy_stage"
DUE_TIME_TABLE = "strategy_due_time"
DUE_CASE_TABLE = "strategy_due_case"
# Each playbook condition (``definition.CONDITIONS``) as SQL over the target's loan-party
# row ``lp`` (the facts the ledger's cycle keeps there) or the due case ``d``.
CONDITION_SQL = {
    "guarantee_ending": "lp.guarantee_ending",
    # Set-based like the rest: one probe of the case's row by its primary key.
    "unreachable": (
        f"EXISTS (SELECT 1 FROM {CollectionCase._meta.db_table} AS uc"
        " WHERE uc.id = d.case_id AND uc.unreachable_since IS NOT NULL)"
    ),
}
OPEN_END = 1_000_000  # the upper DPD of an open-ended stage, so windows compare plainly
ONE_OFF_CLOCK = "09:00"
Versions = dict[int, tuple[str, int, PlaybookDefinition]]


def _channel_sql(column: str) -> str:
    """SQL mapping an action type to its contact channel ('' for internal tasks)."""
    cases = " ".join(
        f"WHEN '{kind}' THEN '{channel or ''}'" for kind, channel in CHANNEL_OF.items()
    )
    return f"(CASE {column} {cases} ELSE '' END)"


def fill_definitions(versions: Versions) -> None:
    """The per-connection temporary tables of stage windows, action rules and due times."""
    timestamp = "TIMESTAMP WITH TIME ZONE" if connection.vendor == "postgresql" else "TEXT"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE_TABLE} (version_id BIGINT,"
            " name VARCHAR(60), ord INTEGER, from_dpd INTEGER, to_dpd INTEGER)"
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {RULE_TABLE} (version_id BIGINT,"
            " stage VARCHAR(60), action VARCHAR(130), type VARCHAR(20), target_role VARCHAR(20),"
            " by_dpd INTEGER, start INTEGER, every INTEGER, until INTEGER, sentence VARCHAR(400),"
            " template VARCHAR(60), queue VARCHAR(60), priority INTEGER, clock VARCHAR(5),"
            " cond VARCHAR(40))"
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {DUE_TIME_TABLE} (creditor_id BIGINT,"
            f" clock VARCHAR(5), due_at {timestamp})"
        )
        for name in (STAGE_TABLE, RULE_TABLE):
            cursor.execute(emptied(name))
        stages, rules = [], []
        for version_id, (title, number, definition) in versions.items():
            for order, stage in enumerate(definition.stages, start=1):
                to_dpd = OPEN_END if stage.to_dpd is None else stage.to_dpd
                stages.append((version_id, stage.name, order, stage.from_dpd, to_dpd))
                for rule in stage.actions:
                    rules.append(
                        (
                            version_id,
                            stage.name,
                            f"{stage.name}/{rule.name}",
                            rule.type,
                            rule.target,
                            1 if rule.at_dpd is not None else 0,
                            rule.start,
                            rule.every,
                            rule.until,
                            rule_sentence(title, number, stage, rule),
                            rule.template,
                            rule.queue,
                            rule.priority,
                            rule.time,
                            rule.when,
                        )
                    )
        if stages:
            cursor.executemany(f"INSERT INTO {STAGE_TABLE} VALUES (%s, %s, %s, %s, %s)", stages)
        if rules:
            marks = ", ".join(["%s"] * 15)
            cursor.executemany(f"INSERT INTO {RULE_TABLE} VALUES ({marks})", rules)
        if connection.vendor == "postgresql":
            # The planner sizes joins with temporary tables from their statistics.
            cursor.execute(f"ANALYZE {STAGE_TABLE}")
            cursor.execute(f"ANALYZE {RULE_TABLE}")


def fill_due_times(on: date, versions: Versions) -> None:
    """When each clock time of ``on`` falls for each creditor's debtors (their zone)."""
    clocks = {ONE_OFF_CLOCK} | {
        rule.time
        for _title, _number, definition in versions.values()
        for stage in definition.stages
        for rule in stage.actions
    }
    zones = time_zone_of(Creditor.objects.values_list("pk", flat=True))
    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    for creditor_id, zone in zones.items():
        for clock in sorted(clocks):
            hours, minutes = (int(part) for part in clock.split(":"))
            moment = datetime.combine(on, time(hours, minutes), tzinfo=ZoneInfo(zone))
            rows.append((creditor_id, clock, adapt(moment)))
    with connection.cursor() as cursor:
        cursor.execute(emptied(DUE_TIME_TABLE))
        if rows:
            cursor.executemany(f"INSERT INTO {DUE_TIME_TABLE} VALUES (%s, %s, %s)", rows)


def json_param() -> str:
    return "CAST(%s AS JSONB)" if connection.vendor == "postgresql" else "%s"


def _empty_json() -> str:
    return "CAST('[]' AS JSONB)" if connection.vendor == "postgresql" else "'[]'"


def _condition_sql() -> str:
    """SQL true when rule ``r``'s ``when`` (if any) holds for the target party ``lp``."""
    held = " ".join(f"WHEN '{name}' THEN {column}" for name, column in CONDITION_SQL.items())
    return f"(r.cond = '' OR (CASE r.cond {held} ELSE FALSE END))"


def _insert_columns() -> str:
    return (
        "case_id, loan_id, party_id, business_date, due_at, action, type, target_role, channel,"
        " version_id, stage, rule, template, queue, priority, arm, status, blocked_reasons,"
        " created_at"
    )


def _due_cases(first: int, last: int, on: date) -> None:
    """The partition's open, unpaused, staged cases with their DPD and day in the stage (a
    case whose repayment plan is active is paused: the borrower keeps an arrangement), in a
    temporary table the planner can count (the strategy table's statistics lag on a first
    day, and a plan built on "one row" crosses every case with every rule)."""
    case, strategy, loan = table(CollectionCase), table(CaseStrategy), table(Loan)
    plan = table(RepaymentPlan)
    entered = day_number("cs.stage_entered_on")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {DUE_CASE_TABLE} (case_id BIGINT,"
            " loan_id BIGINT, creditor_id BIGINT, version_id BIGINT, stage VARCHAR(60),"
            " arm VARCHAR(10), dpd INTEGER, stage_day INTEGER)"
        )
        cursor.execute(emptied(DUE_CASE_TABLE))
        cursor.execute(
            f"""
            INSERT INTO {DUE_CASE_TABLE}
            SELECT cs.case_id, c.loan_id, l.creditor_id, cs.version_id, cs.stage, cs.arm,
                   c.current_dpd, %(today)s - {entered} + 1
            FROM {strategy} AS cs
            JOIN {case} AS c ON c.id = cs.case_id
            JOIN {loan} AS l ON l.id = c.loan_id
            WHERE c.loan_id BETWEEN %(first)s AND %(last)s
              AND l.id BETWEEN %(first)s AND %(last)s
              AND c.status = 'open' AND cs.stage_entered_on IS NOT NULL
              AND NOT (cs.paused AND (cs.paused_until IS NULL OR cs.paused_until >= %(on)s))
              AND NOT EXISTS (
                SELECT 1 FROM {plan} AS rp WHERE rp.case_id = cs.case_id AND rp.status = 'active')
            """,
            {"first": first, "last": last, "on": on, "today": on.toordinal()},
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {DUE_CASE_TABLE}")


def plan_from_rules(first: int, last: int, on: date) -> int:
    """Plan the playbook actions whose timing falls on ``on``, once per case, action, party.

    The joins are written as ``CROSS JOIN`` so SQLite takes them in the order given (its
    rule for that keyword): from the day's due cases to their stage's rules and then to the
    party rows. Without statistics on the temporary tables it started from every party row
    of the partition crossed with every rule of the role, three times the whole step's
    work. PostgreSQL reads the statement as plain inner joins and plans it from the
    ``ANALYZE`` of the temporary tables.
    """
    _due_cases(first, last, on)
    loan_party, planned = table(LoanParty), table(PlannedAction)
    x = "(CASE WHEN r.by_dpd = 1 THEN d.dpd ELSE d.stage_day END)"
    sql = f"""
        INSERT INTO {planned} ({_insert_columns()})
        SELECT d.case_id, d.loan_id, lp.party_id, %(on)s, t.due_at, r.action, r.type,
               r.target_role, {_channel_sql("r.type")}, d.version_id, d.stage, r.sentence,
               r.template, r.queue, r.priority, d.arm, 'queued', {_empty_json()}, %(now)s
        FROM {DUE_CASE_TABLE} AS d
        CROSS JOIN {RULE_TABLE} AS r
        CROSS JOIN {loan_party} AS lp
        CROSS JOIN {DUE_TIME_TABLE} AS t
        WHERE r.version_id = d.version_id AND r.stage = d.stage
          AND lp.loan_id = d.loan_id AND lp.role = r.target_role
          AND t.creditor_id = d.creditor_id AND t.clock = r.clock
          AND lp.loan_id BETWEEN %(first)s AND %(last)s
          AND {x} >= r.start
          AND ((r.every IS NULL AND {x} = r.start)
               OR (r.every IS NOT NULL AND ({x} - r.start) %% r.every = 0))
          AND (r.until IS NULL OR {x} <= r.until)
          AND {_condition_sql()}
          AND NOT EXISTS (
            SELECT 1 FROM {planned} AS pa
            WHERE pa.case_id = d.case_id AND pa.business_date = %(on)s
              AND pa.action = r.action AND pa.party_id = lp.party_id)
    """
    params: dict[str, Any] = {
        "first": first,
        "last": last,
        "on": on,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def plan_one_offs(first: int, last: int, on: date) -> int:
    """Plan the one-off actions managers added for ``on``."""
    case, strategy, loan_party = table(CollectionCase), table(CaseStrategy), table(LoanParty)
    loan, planned, one_off = table(Loan), table(PlannedAction), table(OneOffAction)
    key = "'one-off/' || CAST(o.id AS VARCHAR(20))"
    sql = f"""
        INSERT INTO {planned} ({_insert_columns()})
        SELECT o.case_id, c.loan_id, lp.party_id, %(on)s, t.due_at, {key}, o.type,
               o.target_role, {_channel_sql("o.type")}, cs.version_id, COALESCE(cs.stage, ''),
               SUBSTR(o.title || ' · 一次性 (' || o.by || ': ' || o.reason || ')', 1, 400),
               o.template, o.queue, 70, COALESCE(cs.arm, ''), 'queued', {_empty_json()},
               %(now)s
        FROM {one_off} AS o
        JOIN {case} AS c ON c.id = o.case_id
        JOIN {loan_party} AS lp ON lp.loan_id = c.loan_id AND lp.role = o.target_role
        JOIN {loan} AS l ON l.id = c.loan_id
        JOIN {DUE_TIME_TABLE} AS t ON t.creditor_id = l.creditor_id AND t.clock = %(clock)s
        LEFT JOIN {strategy} AS cs ON cs.case_id = c.id
        WHERE o.business_date = %(on)s AND c.loan_id BETWEEN %(first)s AND %(last)s
          AND c.status = 'open'
          AND NOT EXISTS (
            SELECT 1 FROM {planned} AS pa WHERE pa.case_id = o.case_id
              AND pa.business_date = %(on)s AND pa.action = {key}
              AND pa.party_id = lp.party_id)
    """
    params: dict[str, Any] = {
        "first": first,
        "last": last,
        "on": on,
        "clock": ONE_OFF_CLOCK,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def last_planned_id() -> int:
    """The highest planned-action id so far: rows above it are this call's (with the range)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table(PlannedAction)}")
        return int(cursor.fetchone()[0])
