"""Which playbook a case follows: the active playbooks and their current versions, and
the choice for new cases — the first playbook (by priority) whose segment matches, or an
experiment's challenger by a stable hash of the case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.db import connection

from arrears.cases.models import CollectionCase
from arrears.core.sql import emptied, execute, table
from arrears.portfolio.models import Creditor, Loan, LoanPosition, Product
from arrears.strategy import arms
from arrears.strategy.definition import PlaybookDefinition, parse
from arrears.strategy.due import STAGE_TABLE
from arrears.strategy.models import (
    CaseStrategy,
    Experiment,
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
def _parsed(version_id: int, created_at: datetime) -> PlaybookDefinition:
    # Versions never change, so each is parsed once per process. The key carries the
    # version's creation time as well as its id: an id can name another version after a
    # rolled-back insert (SQLite hands the id out again) or a restore from a backup.
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
        version_id, created_at = PlaybookVersion.objects.values_list("pk", "created_at").get(
            playbook_id=playbook_id, number=number
        )
        found.append(Current(playbook_id, version_id, number, _parsed(version_id, created_at)))
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


def playbooks_assign(first: int, last: int, on: date, playbooks: list[Current]) -> int:
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
        cursor.execute(emptied(NEW_CASE_TABLE))
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
