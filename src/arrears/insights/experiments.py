"""Champion/challenger results: per arm of an experiment, how many cases it took, how many
were cured, what was collected, how often debtors were contacted and how often they
complained — with 95 % intervals and the p-value of the difference in cure rates.

Definitions (docs/insights.md copies them; they are the contract):

- **A case of an arm** is a collection case whose strategy row (``CaseStrategy``) names the
  experiment and the arm (``champion`` or ``challenger``): the plan step marks every new
  case of the champion playbook while the experiment is active and sends a stable hash
  share of them to the challenger (``strategy.playbook_choice``, ``strategy.arms``). A case a
  manager moved to another playbook has left the experiment (``case_move`` clears the mark)
  and is not counted. Open and closed cases both count. ``creditor_ids`` keeps the cases
  of those creditors only.
- **Its window** runs from the day the arm took it (``CaseStrategy.assigned_on``) to the day
  the case closed, both included, or to today while it is open.
- **Cured**: the case is closed with the reason ``cured`` (its loan's DPD went back to 0).
- **Collected**: the payments on the case's loan whose business date (``paid_on``) is in the
  window, in fen, before allocation.
- **Contacts**: the contact journal's rows (``compliance.ContactAttempt``: calls, visits and
  every message that left, whatever the outcome) for the case's loan whose time falls on a
  day of the window in the house time zone.
- **Complaints**: holds of kind ``complaint`` placed, on a day of the window in the house
  time zone, on the case's loan or on any party of the loan.

Each arm is one ``GROUP BY`` over a per-case derived table (a statement whatever the number
of cases); the intervals are ``insights.calculations.stats``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from arrears.cases.models import CollectionCase
from arrears.compliance.models import ContactAttempt, Hold
from arrears.core.errors import NotFound
from arrears.core.money import format_yuan, round_half_up
from arrears.core.sql import table
from arrears.insights.calculations import stats
from arrears.portfolio.models import LoanParty, Payment
from arrears.strategy.models import CaseStrategy, Experiment, Playbook

ARMS = ("champion", "challenger")
RATE_PLACES = 4


def _local_date(column: str) -> str:
    """SQL for the calendar day of a stored timestamp in the house time zone."""
    if connection.vendor == "postgresql":
        return f"CAST(({column}) AT TIME ZONE %(zone)s AS DATE)"
    # SQLite keeps UTC text; the zone's offset now is the offset (Asia/Shanghai keeps none
    # of daylight saving time).
    return f"date({column}, %(offset)s)"


def _zone_params() -> dict[str, Any]:
    zone = ZoneInfo(settings.TIME_ZONE)
    offset = datetime.now(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return {"zone": settings.TIME_ZONE, "offset": f"{minutes:+d} minutes"}


def _creditor_filter(creditor_ids: Sequence[int] | None, params: dict[str, Any]) -> str:
    if creditor_ids is None:
        return ""
    ids = [int(creditor_id) for creditor_id in creditor_ids]
    if not ids:
        return " AND 1 = 0"
    for index, creditor_id in enumerate(ids):
        params[f"creditor{index}"] = creditor_id
    return f" AND c.creditor_id IN ({', '.join(f'%(creditor{i})s' for i in range(len(ids)))})"


def _arm_sums(experiment_id: int, creditor_ids: Sequence[int] | None) -> dict[str, tuple[Any, ...]]:
    """Per arm: cases, cured, collected fen, the sum of each case's collected fen squared
    (for the interval), contacts and complaints — one statement."""
    strategy, case, payment = table(CaseStrategy), table(CollectionCase), table(Payment)
    attempt, hold, loan_party = table(ContactAttempt), table(Hold), table(LoanParty)
    params: dict[str, Any] = {"experiment": experiment_id, **_zone_params()}
    scope = _creditor_filter(creditor_ids, params)
    contact_day, hold_day = _local_date("a.at"), _local_date("h.created_at")
    per_case = f"""
        SELECT s.arm AS arm,
               CASE WHEN c.status = 'closed' AND c.close_reason = 'cured' THEN 1 ELSE 0 END
                 AS cured,
               COALESCE((SELECT SUM(p.amount) FROM {payment} AS p
                         WHERE p.loan_id = c.loan_id AND p.paid_on >= s.assigned_on
                           AND (c.closed_on IS NULL OR p.paid_on <= c.closed_on)), 0)
                 AS collected,
               (SELECT COUNT(*) FROM {attempt} AS a
                WHERE a.loan_id = c.loan_id AND {contact_day} >= s.assigned_on
                  AND (c.closed_on IS NULL OR {contact_day} <= c.closed_on)) AS contacts,
               (SELECT COUNT(*) FROM {hold} AS h
                WHERE h.kind = 'complaint'
                  AND (h.loan_id = c.loan_id
                       OR h.party_id IN (SELECT lp.party_id FROM {loan_party} AS lp
                                         WHERE lp.loan_id = c.loan_id))
                  AND {hold_day} >= s.assigned_on
                  AND (c.closed_on IS NULL OR {hold_day} <= c.closed_on)) AS complaints
        FROM {strategy} AS s
        JOIN {case} AS c ON c.id = s.case_id
        WHERE s.experiment_id = %(experiment)s AND s.arm IN ('champion', 'challenger'){scope}
    """
    # The squares go through floating point: fen squared overflow 64-bit integers on SQLite
    # for large sums, and an interval needs no more than a double's precision.
    sql = f"""
        SELECT arm, COUNT(*), SUM(cured), SUM(collected),
               SUM(CAST(collected AS DOUBLE PRECISION) * CAST(collected AS DOUBLE PRECISION)),
               SUM(contacts), SUM(complaints)
        FROM ({per_case}) AS per_case
        GROUP BY arm
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, RATE_PLACES)


def _pair(interval: stats.Interval | None) -> list[float] | None:
    return (
        None
        if interval is None
        else [round(interval[0], RATE_PLACES), round(interval[1], RATE_PLACES)]
    )


def _yuan(fen: float | Fraction) -> str:
    """Fen (possibly fractional) as a yuan string, rounded half up to the fen once."""
    return format_yuan(round_half_up(Fraction(fen)))


def _yuan_pair(interval: stats.Interval | None, *, floor: bool = True) -> list[str] | None:
    """An interval of fen as yuan strings; money collected is never negative, so a lower
    bound the normal approximation puts below zero is shown as zero (``floor``)."""
    if interval is None:
        return None
    low = max(0.0, interval[0]) if floor else interval[0]
    return [_yuan(low), _yuan(interval[1])]


def _playbook(playbook: Playbook) -> dict[str, Any]:
    return {"playbook": playbook.name, "version": playbook.version}


def _experiment(name: str) -> Experiment:
    experiment = (
        Experiment.objects.select_related("champion", "challenger").filter(name=name).first()
    )
    if experiment is None:
        known = ", ".join(Experiment.objects.values_list("name", flat=True)) or _("none")
        raise NotFound(
            _("no experiment named %(name)s (experiments: %(known)s)")
            % {"name": repr(name), "known": known}
        )
    return experiment


def _arm(arm: str, playbook: Playbook, sums: tuple[Any, ...] | None) -> dict[str, Any]:
    cases, cured, collected, squares, contacts, complaints = (
        (int(sums[0]), int(sums[1] or 0), int(sums[2] or 0), float(sums[3] or 0),
         int(sums[4] or 0), int(sums[5] or 0))
        if sums is not None
        else (0, 0, 0, 0.0, 0, 0)
    )  # fmt: skip
    return {
        "arm": arm,
        "playbook": playbook.name,
        "cases": cases,
        "cured": cured,
        "cure_rate": _rate(cured / cases) if cases else None,
        "cure_rate_ci": _pair(stats.wilson_interval(cured, cases)),
        "collected": format_yuan(collected),
        "collected_per_case": _yuan(Fraction(collected, cases)) if cases else None,
        "collected_per_case_ci": _yuan_pair(stats.mean_interval(collected, squares, cases)),
        "contacts": contacts,
        "contacts_per_case": round(contacts / cases, 2) if cases else None,
        "complaints": complaints,
        # Kept for the difference's Welch interval; not part of the report.
        "_sums": (float(collected), squares, cases),
    }


def _difference(champion: dict[str, Any], challenger: dict[str, Any]) -> dict[str, Any]:
    """Challenger minus champion: the cure rate with its interval and p-value, and the
    collected per case with its interval."""
    a_cured, a_cases = champion["cured"], champion["cases"]
    b_cured, b_cases = challenger["cured"], challenger["cases"]
    both = a_cases > 0 and b_cases > 0
    p_value = stats.two_proportion_p_value(a_cured, a_cases, b_cured, b_cases)
    collected_interval = stats.welch_difference_interval(champion["_sums"], challenger["_sums"])
    return {
        "cure_rate": _rate(b_cured / b_cases - a_cured / a_cases) if both else None,
        "ci": _pair(stats.difference_interval(a_cured, a_cases, b_cured, b_cases)),
        "p_value": _rate(p_value),
        "collected_per_case": (
            _yuan(
                Fraction(int(challenger["_sums"][0]), b_cases)
                - Fraction(int(champion["_sums"][0]), a_cases)
            )
            if both
            else None
        ),
        "collected_per_case_ci": _yuan_pair(collected_interval, floor=False),
    }


def experiment_results(name: str, *, creditor_ids: Sequence[int] | None = None) -> dict[str, Any]:
    """The results of experiment ``name`` per arm, with 95 % intervals and the difference
    (challenger − champion) of cure rates with its interval and p-value.

    Rates are numbers to 4 decimals (None for an arm without cases), money is yuan strings.
    ``creditor_ids`` limits the cases to those creditors' (a manager's scope). Raises
    ``NotFound`` for an unknown name. The keys are a contract: add, never rename."""
    experiment = _experiment(name)
    sums = _arm_sums(experiment.pk, creditor_ids)
    champion = _arm("champion", experiment.champion, sums.get("champion"))
    challenger = _arm("challenger", experiment.challenger, sums.get("challenger"))
    difference = _difference(champion, challenger)
    for arm in (champion, challenger):
        del arm["_sums"]
    return {
        "experiment": experiment.name,
        "active": experiment.active,
        "challenger_percent": experiment.challenger_percent,
        "champion": _playbook(experiment.champion),
        "challenger": _playbook(experiment.challenger),
        "arms": [champion, challenger],
        "difference": difference,
    }


def experiments_list(*, creditor_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Every experiment by name: active or ended, its two playbooks (current versions), the
    challenger's share and the cases each arm took (of ``creditor_ids`` when given) — two
    queries whatever the number of experiments."""
    strategy, case = table(CaseStrategy), table(CollectionCase)
    params: dict[str, Any] = {}
    scope = _creditor_filter(creditor_ids, params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.experiment_id, s.arm, COUNT(*)
            FROM {strategy} AS s
            JOIN {case} AS c ON c.id = s.case_id
            WHERE s.experiment_id IS NOT NULL
              AND s.arm IN ('champion', 'challenger'){scope}
            GROUP BY s.experiment_id, s.arm
            """,
            params,
        )
        counts = {(row[0], row[1]): int(row[2]) for row in cursor.fetchall()}
    return [
        {
            "experiment": experiment.name,
            "active": experiment.active,
            "challenger_percent": experiment.challenger_percent,
            "champion": _playbook(experiment.champion),
            "challenger": _playbook(experiment.challenger),
            "cases": {arm: counts.get((experiment.pk, arm), 0) for arm in ARMS},
        }
        for experiment in Experiment.objects.select_related("champion", "challenger").order_by(
            "name"
        )
    ]
