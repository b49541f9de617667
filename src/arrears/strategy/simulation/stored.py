"""The simulation's reads: the playbook versions asked for, the playbooks ranked before
them, the closed days of the period, each day's open cases with the loan's stored DPD,
the loans' parties and the repayment plans that paused cases. Reads only, set-based: one
statement per day over all open cases, and one each for parties and plans."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Max, Min, Q
from django.utils.translation import gettext as _g

from arrears.cases.choices import PlanStatus
from arrears.cases.models import CollectionCase, RepaymentPlan
from arrears.core.dates import parse_date
from arrears.core.errors import InvalidInput
from arrears.core.sql import table
from arrears.portfolio.models import Creditor, Loan, LoanHistory, LoanParty, LoanPosition, Product
from arrears.strategy.definition import PlaybookDefinition, Segment, parse
from arrears.strategy.due import OPEN_END
from arrears.strategy.models import Playbook, PlaybookVersion
from arrears.strategy.playbook_choice import current_playbooks
from arrears.strategy.simulation.replay import CaseDay

# A plan in one of these states, once decided (approved, or within the requester's
# authority), was active from the day it was made until the day it ended.
# Before any stored day: "no day outside the window" in ``stage_entries``.
NEVER = date(1900, 1, 1)
PLAN_WAS_ACTIVE = (
    PlanStatus.ACTIVE,
    PlanStatus.COMPLETED,
    PlanStatus.BROKEN,
    PlanStatus.CANCELLED,
)


@dataclass(frozen=True)
class Version:
    """A playbook version to replay."""

    number: int
    definition: PlaybookDefinition
    current: bool


@dataclass(frozen=True)
class Chosen:
    """The playbook asked for and the versions of it to replay, in the order asked."""

    playbook: Playbook
    versions: list[Version]


def versions_chosen(name: str, numbers: Sequence[int]) -> Chosen:
    """The playbook ``name`` and its versions ``numbers`` (its current one when none is
    given); ``InvalidInput`` for an unknown playbook or version."""
    playbook = Playbook.objects.filter(name=name).first()
    if playbook is None:
        known = ", ".join(Playbook.objects.order_by("name").values_list("name", flat=True))
        raise InvalidInput(
            _g("no playbook '%(name)s' (playbooks: %(known)s)")
            % {"name": name, "known": known or _g("none")},
            field="playbook",
        )
    stored = dict(
        PlaybookVersion.objects.filter(playbook=playbook).values_list("number", "definition")
    )
    wanted = list(numbers) or [playbook.version]
    missing = [number for number in wanted if number not in stored]
    if missing:
        have = ", ".join(str(number) for number in sorted(stored)) or _g("none")
        raise InvalidInput(
            _g("playbook '%(name)s' has no version %(number)s (versions: %(have)s)")
            % {"name": name, "number": missing[0], "have": have},
            field="version",
        )
    return Chosen(
        playbook,
        [Version(number, parse(stored[number]), number == playbook.version) for number in wanted],
    )


def segments_before(playbook: Playbook) -> list[Segment]:
    """The segments of the active playbooks the plan step tries before ``playbook`` (higher
    priority, or the same priority and an earlier name), as their current versions say."""
    ranked = {
        pk: (-priority, name)
        for pk, priority, name in Playbook.objects.filter(active=True).values_list(
            "pk", "priority", "name"
        )
    }
    mine = (-playbook.priority, playbook.name)
    return [
        current.definition.segment
        for current in current_playbooks()
        if current.playbook_id != playbook.pk and ranked[current.playbook_id] < mine
    ]


def closed_days(first: date, last: date) -> list[date]:
    """The days ``first`` to ``last``, once the stored state shows the cycle closed the
    period's ends: ``InvalidInput`` naming a day before the first stored day (the first
    case opened) or after the last closed one (the latest stored position). A day inside
    that the cycle skipped is found by ``case_days``."""
    if first > last:
        raise InvalidInput(
            _g("--from %(first)s is after --to %(last)s") % {"first": first, "last": last},
            field="from",
        )
    opened = CollectionCase.objects.aggregate(first=Min("opened_on"))["first"]
    closed = LoanPosition.objects.aggregate(last=Max("as_of"))["last"]
    if opened is None or closed is None:
        raise InvalidInput(_g("the cycle has closed no day with cases yet"), field="from")
    if first < opened:
        raise InvalidInput(
            _g("%(day)s was not closed by the cycle (the first stored day is %(first)s)")
            % {"day": first, "first": opened},
            field="from",
        )
    if last > closed:
        raise InvalidInput(
            _g("%(day)s was not closed by the cycle (the last closed day is %(last)s)")
            % {"day": last, "last": closed},
            field="to",
        )
    return [date.fromordinal(day) for day in range(first.toordinal(), last.toordinal() + 1)]


def _day(value: Any) -> date:
    return value if isinstance(value, date) else parse_date(value)


def case_days(on: date) -> list[CaseDay]:
    """The cases open on ``on`` (opened by then, not closed by then) with their loan's
    stored state that day, in one statement; ``InvalidInput`` when cases were open but the
    day has no stored history for any of them (the cycle did not close it)."""
    case, loan, creditor = table(CollectionCase), table(Loan), table(Creditor)
    product, history = table(Product), table(LoanHistory)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT c.id, c.loan_id, l.creditor_id, c.opened_on, h.dpd, h.classification,
                   h.overdue_total, cr.name, COALESCE(pr.code, ''), l.guarantee_type, l.branch
            FROM {case} AS c
            JOIN {loan} AS l ON l.id = c.loan_id
            JOIN {creditor} AS cr ON cr.id = l.creditor_id
            LEFT JOIN {product} AS pr ON pr.id = l.product_id
            LEFT JOIN {history} AS h ON h.loan_id = c.loan_id AND h.business_date = %(on)s
            WHERE c.opened_on <= %(on)s AND (c.closed_on IS NULL OR c.closed_on > %(on)s)
            ORDER BY c.id
            """,
            {"on": on},
        )
        rows = cursor.fetchall()
    found = [
        CaseDay(
            case_id,
            loan_id,
            creditor_id,
            _day(opened_on),
            int(dpd),
            classification,
            int(overdue),
            creditor_name,
            product_code,
            guarantee_type,
            branch,
        )
        for (
            case_id,
            loan_id,
            creditor_id,
            opened_on,
            dpd,
            classification,
            overdue,
            creditor_name,
            product_code,
            guarantee_type,
            branch,
        ) in rows
        if dpd is not None and dpd > 0
    ]
    if rows and not found:
        raise InvalidInput(
            _g("%(day)s was not closed by the cycle (no stored history of its open cases)")
            % {"day": on},
            field="from",
        )
    return found


def stage_entries(
    first: date, windows: Sequence[tuple[int, int | None]]
) -> dict[tuple[int, int | None, int], date]:
    """For the cases already open on ``first`` whose DPD that day is in a stage window
    (from, to DPD, inclusive; to None: no end), the day they entered it as the cycle saw
    it: the first stored day after the last one (since the case opened) whose DPD was
    outside the window.
    A loan that pays part and stays in a stage keeps its entry day, one that skipped days
    (month end to month end) entered on the day the cycle closed. Keyed by (from, to, case
    id); one statement per window, a backward index scan per case."""
    case, history = table(CollectionCase), table(LoanHistory)
    found: dict[tuple[int, int | None, int], date] = {}
    for start, end in set(windows):
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT c.id, (
                    SELECT MIN(h.business_date) FROM {history} AS h
                    WHERE h.loan_id = c.loan_id AND h.business_date >= c.opened_on
                      AND h.business_date <= %(first)s
                      AND h.business_date > COALESCE((
                          SELECT MAX(o.business_date) FROM {history} AS o
                          WHERE o.loan_id = c.loan_id AND o.business_date >= c.opened_on
                            AND o.business_date < %(first)s
                            AND (o.dpd < %(start)s OR o.dpd > %(end)s)), %(never)s))
                FROM {case} AS c
                JOIN {history} AS h1 ON h1.loan_id = c.loan_id AND h1.business_date = %(first)s
                WHERE c.opened_on < %(first)s
                  AND (c.closed_on IS NULL OR c.closed_on > %(first)s)
                  AND h1.dpd BETWEEN %(start)s AND %(end)s
                """,
                {
                    "first": first,
                    "start": start,
                    "end": OPEN_END if end is None else end,
                    "never": NEVER,
                },
            )
            for case_id, entered in cursor.fetchall():
                if entered is not None:
                    found[(start, end, case_id)] = _day(entered)
    return found


def _open_in(first: date, last: date) -> Q:
    """Cases open on some day of ``first``–``last``."""
    return Q(opened_on__lte=last) & (Q(closed_on__isnull=True) | Q(closed_on__gt=first))


def loan_parties(first: date, last: date) -> dict[int, dict[str, list[int]]]:
    """The parties of every loan with a case open in the period, by loan and role."""
    loans = CollectionCase.objects.filter(_open_in(first, last)).values("loan_id")
    found: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for loan_id, role, party_id in (
        LoanParty.objects.filter(loan_id__in=loans)
        .order_by("loan_id", "party_id")
        .values_list("loan_id", "role", "party_id")
    ):
        found[loan_id][role].append(party_id)
    return found


def plan_pauses(first: date, last: date) -> dict[int, list[tuple[date, date | None]]]:
    """For each case, the spans (from, until: exclusive, None while it runs) its
    repayment plans were active in the period: the playbook plans nothing then."""
    plans = RepaymentPlan.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=first),
        status__in=PLAN_WAS_ACTIVE,
        decided_at__isnull=False,
        made_on__lte=last,
    )
    found: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for case_id, made_on, ended_on in plans.values_list("case_id", "made_on", "ended_on"):
        found[case_id].append((made_on, ended_on))
    return found


def paused_on(pauses: dict[int, list[tuple[date, date | None]]], on: date) -> set[int]:
    """The cases whose plan was active on ``on``."""
    return {
        case_id
        for case_id, spans in pauses.items()
        if any(start <= on and (end is None or on < end) for start, end in spans)
    }
