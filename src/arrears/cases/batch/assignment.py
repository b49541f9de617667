"""The daily assignment (分案): route open cases to the team working their bucket, then share
each team's pool among its collectors.

Runs once per business date, after every partition of the cycle is done (the buckets are
final by then). Set-based: a handful of statements read what the rules need and write the
result, however many cases there are; the rules themselves are the pure
``cases.assignment_rules``. Idempotent: a second run on the same date finds nothing to route and
no pool case that now fits anyone, so it changes nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from arrears.accounts.choices import Role
from arrears.accounts.models import Team, User
from arrears.cases.assignment_rules import Collector, PoolCase, assign
from arrears.cases.choices import AssignmentRule
from arrears.cases.models import CaseAssignment, CollectionCase
from arrears.core.sql import table
from arrears.portfolio.choices import PartyRole
from arrears.portfolio.models import LoanParty, LoanPosition

# Roles that assignment gives cases to; team leads take cases only by hand.
ASSIGNED_ROLES = (Role.COLLECTOR.value, Role.FIELD_AGENT.value)


@dataclass(frozen=True)
class AssignmentSummary:
    """What one assignment run did: cases moved to another team (or out of every team),
    cases given to a collector by each rule, and cases left in a team pool for lack of
    capacity."""

    on: date
    routed: int = 0
    assigned: dict[str, int] = field(default_factory=dict)
    left_in_pool: int = 0

    @property
    def assigned_total(self) -> int:
        return sum(self.assigned.values())


@dataclass(frozen=True)
class _TeamRule:
    id: int
    creditor_id: int
    buckets: tuple[str, ...]
    method: str
    same_borrower: bool


# The columns of a CaseAssignment row, in the order both writers insert them.
HISTORY_COLUMNS = (
    "case_id",
    "team_id",
    "assignee_id",
    "previous_assignee_id",
    "rule",
    "reason",
    "by_id",
    "on",
    "at",
)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _active_teams() -> list[_TeamRule]:
    rows = Team.objects.filter(is_active=True).order_by("id")
    return [
        _TeamRule(
            id=team.id,
            creditor_id=team.creditor_id,
            buckets=tuple(team.bucket_list()),
            method=team.assignment_method,
            same_borrower=team.same_borrower_same_collector,
        )
        for team in rows
    ]


def _routing_sql(teams: list[_TeamRule]) -> tuple[str, str, dict[str, Any]]:
    """SQL for "the case's team still works its bucket" and for "the team that should work
    it", over ``c`` (the case table). When two active teams of a creditor share a bucket the
    older one takes the bucket's cases."""
    params: dict[str, Any] = {}
    valid: list[str] = []
    target: list[str] = []
    for index, team in enumerate(teams):
        if not team.buckets:
            continue
        names = []
        for position, bucket in enumerate(team.buckets):
            key = f"b{index}_{position}"
            params[key] = bucket
            names.append(f"%({key})s")
        in_buckets = f"c.bucket IN ({', '.join(names)})"
        valid.append(
            f"(c.team_id = {int(team.id)} AND c.creditor_id = {int(team.creditor_id)}"
            f" AND {in_buckets})"
        )
        target.append(
            f"WHEN c.creditor_id = {int(team.creditor_id)} AND {in_buckets} THEN {int(team.id)}"
        )
    valid_sql = f"({' OR '.join(valid)})" if valid else "(1 = 0)"
    target_sql = f"(CASE {' '.join(target)} ELSE NULL END)" if target else "NULL"
    return valid_sql, target_sql, params


def _route(on: date, teams: list[_TeamRule], at: Any) -> int:
    """Move every open case whose team no longer works its bucket (or that has no team) to
    the team that does, or out of every team when none does.

    A case leaving a team leaves its collector too (rule ``stage_change``): the new team
    assigns it afresh. A case entering its first team keeps whoever a manager may have
    given it by hand.
    """
    case, assignment = table(CollectionCase), table(CaseAssignment)
    valid, target, params = _routing_sql(teams)
    params.update({"on": on, "at": at})
    moving = (
        f"c.status = 'open' AND (c.team_id IS NULL OR NOT {valid})"
        f" AND (c.team_id IS NOT NULL OR {target} IS NOT NULL)"
    )
    columns = ", ".join(_q(name) for name in HISTORY_COLUMNS)
    with connection.cursor() as cursor:
        # History first, while the case rows still say where they were.
        cursor.execute(
            f"""
            INSERT INTO {assignment} ({columns})
            SELECT c.id, {target}, NULL, c.assignee_id, '{AssignmentRule.STAGE_CHANGE.value}',
                   '', NULL, %(on)s, %(at)s
            FROM {case} AS c
            WHERE {moving} AND c.team_id IS NOT NULL
            """,
            params,
        )
        cursor.execute(
            f"""
            UPDATE {case} AS c SET team_id = {target},
                assignee_id = CASE WHEN c.team_id IS NULL THEN c.assignee_id ELSE NULL END,
                assigned_on = CASE WHEN c.team_id IS NULL THEN c.assigned_on ELSE NULL END,
                updated_at = CURRENT_TIMESTAMP
            WHERE {moving}
            """,
            params,
        )
        return max(cursor.rowcount, 0)


def _amount_sql() -> str:
    """A case's overdue amount today (fen): the loan position's, or the entry amount for a
    case whose position is missing."""
    return (
        "COALESCE(p.overdue_principal + p.overdue_interest + p.overdue_fees"
        " + p.overdue_penalty, c.entry_amount)"
    )


def _pool(team_ids: list[int]) -> dict[int, list[PoolCase]]:
    """The unassigned open cases of each team, with borrower and overdue amount. A case
    placed with an agency is the agency's while placed: not in any in-house pool."""
    case, position, party = table(CollectionCase), table(LoanPosition), table(LoanParty)
    ids = ", ".join(str(int(t)) for t in team_ids)
    pools: dict[int, list[PoolCase]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT c.id, c.team_id,
                   (SELECT MIN(lp.party_id) FROM {party} AS lp
                     WHERE lp.loan_id = c.loan_id AND lp.role = %(borrower)s),
                   {_amount_sql()}
            FROM {case} AS c LEFT JOIN {position} AS p ON p.loan_id = c.loan_id
            WHERE c.status = 'open' AND c.assignee_id IS NULL AND c.team_id IN ({ids})
              AND c.agency_id IS NULL
            ORDER BY c.id
            """,
            {"borrower": PartyRole.BORROWER.value},
        )
        for case_id, team_id, borrower_id, amount in cursor.fetchall():
            pools[team_id].append(PoolCase(case_id, borrower_id, int(amount or 0)))
    return pools


def _collectors(team_ids: list[int]) -> dict[int, list[Collector]]:
    """Each team's active collectors and field agents with their current open cases and the
    overdue amount of those (across every team: capacity belongs to the person)."""
    people = list(
        User.objects.filter(team_id__in=team_ids, is_active=True, role__in=ASSIGNED_ROLES)
        .order_by("id")
        .values_list("id", "team_id", "capacity")
    )
    if not people:
        return {}
    case, position, user = table(CollectionCase), table(LoanPosition), table(User)
    load: dict[int, tuple[int, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT c.assignee_id, COUNT(*), SUM({_amount_sql()})
            FROM {case} AS c LEFT JOIN {position} AS p ON p.loan_id = c.loan_id
            WHERE c.status = 'open' AND c.assignee_id IN (
                SELECT u.id FROM {user} AS u
                WHERE u.is_active = %(yes)s AND u.team_id IN ({", ".join(map(str, team_ids))})
                  AND u.role IN (%(r0)s, %(r1)s))
            GROUP BY c.assignee_id
            """,
            {"yes": True, "r0": ASSIGNED_ROLES[0], "r1": ASSIGNED_ROLES[1]},
        )
        for assignee_id, count, amount in cursor.fetchall():
            load[assignee_id] = (int(count), int(amount or 0))
    teams: dict[int, list[Collector]] = defaultdict(list)
    for user_id, team_id, capacity in people:
        count, amount = load.get(user_id, (0, 0))
        teams[team_id].append(Collector(user_id, capacity, count, amount))
    return teams


def _borrower_links() -> dict[int, list[int]]:
    """For each borrower with a case in a team pool: the collectors of their other cases,
    open cases first, then the most recent."""
    case, party = table(CollectionCase), table(LoanParty)
    links: dict[int, list[int]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT lp.party_id, c.assignee_id
            FROM {case} AS c JOIN {party} AS lp
              ON lp.loan_id = c.loan_id AND lp.role = %(borrower)s
            WHERE c.assignee_id IS NOT NULL AND lp.party_id IN (
                SELECT lp2.party_id FROM {case} AS c2 JOIN {party} AS lp2
                  ON lp2.loan_id = c2.loan_id AND lp2.role = %(borrower)s
                WHERE c2.status = 'open' AND c2.team_id IS NOT NULL
                  AND c2.assignee_id IS NULL)
            ORDER BY CASE WHEN c.status = 'open' THEN 0 ELSE 1 END, c.id DESC
            """,
            {"borrower": PartyRole.BORROWER.value},
        )
        for party_id, assignee_id in cursor.fetchall():
            if assignee_id not in links[party_id]:
                links[party_id].append(assignee_id)
    return links


def _cursors(team_ids: list[int]) -> dict[int, int]:
    """Each round-robin team's cursor: the collector who got its latest round-robin case."""
    assignment = table(CaseAssignment)
    ids = ", ".join(str(int(t)) for t in team_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.team_id, a.assignee_id FROM {assignment} AS a
            WHERE a.id IN (
                SELECT MAX(b.id) FROM {assignment} AS b
                WHERE b.rule = %(rule)s AND b.team_id IN ({ids}) GROUP BY b.team_id)
            """,
            {"rule": AssignmentRule.ROUND_ROBIN.value},
        )
        return {team_id: assignee_id for team_id, assignee_id in cursor.fetchall()}


def _write(on: date, placements: list[tuple[int, int, str]], at: Any) -> None:
    """Give each case its collector, with its history row, in two batched statements; a case
    someone assigned by hand in the meantime is left alone."""
    case, assignment = table(CollectionCase), table(CaseAssignment)
    columns = ", ".join(_q(name) for name in HISTORY_COLUMNS)
    open_and_pooled = "c.id = %s AND c.status = 'open' AND c.assignee_id IS NULL"
    with connection.cursor() as cursor:
        cursor.executemany(
            f"""
            INSERT INTO {assignment} ({columns})
            SELECT c.id, c.team_id, %s, NULL, %s, '', NULL, %s, %s
            FROM {case} AS c WHERE {open_and_pooled}
            """,
            [(collector, rule, on, at, case_id) for case_id, collector, rule in placements],
        )
        cursor.executemany(
            f"""
            UPDATE {case} SET assignee_id = %s, assigned_on = %s, updated_at = CURRENT_TIMESTAMP
            WHERE id = %s AND status = 'open' AND assignee_id IS NULL
            """,
            [(collector, on, case_id) for case_id, collector, _rule in placements],
        )


@transaction.atomic
def cases_assign(*, on: date) -> AssignmentSummary:
    """Route and assign every open case for business date ``on`` (see the module doc)."""
    at = timezone.now()
    teams = _active_teams()
    routed = _route(on, teams, at)
    team_ids = [team.id for team in teams]
    if not team_ids:
        return AssignmentSummary(on=on, routed=routed)
    pools = _pool(team_ids)
    if not pools:
        return AssignmentSummary(on=on, routed=routed)
    collectors = _collectors(list(pools))
    working = [team for team in teams if pools.get(team.id) and collectors.get(team.id)]
    links = _borrower_links() if any(team.same_borrower for team in working) else {}
    round_robin = [team.id for team in working if team.method == AssignmentRule.ROUND_ROBIN]
    cursors = _cursors(round_robin) if round_robin else {}

    placements: list[tuple[int, int, str]] = []
    rules: Counter[str] = Counter()
    for team in working:
        for placement in assign(
            collectors=collectors[team.id],
            cases=pools[team.id],
            method=team.method,
            same_borrower=team.same_borrower,
            borrower_links=links,
            last_collector_id=cursors.get(team.id),
        ):
            placements.append((placement.case_id, placement.collector_id, placement.rule))
            rules[placement.rule] += 1
    if placements:
        _write(on, placements, at)
    pooled = sum(len(cases) for cases in pools.values())
    return AssignmentSummary(
        on=on, routed=routed, assigned=dict(rules), left_in_pool=pooled - len(placements)
    )
