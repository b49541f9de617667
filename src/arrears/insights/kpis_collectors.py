"""The month's league: contacts, promises and money collected per collector, and money
collected per team, each credited to whoever held the case at the time (kpis_holders)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from arrears.accounts.models import Team, User
from arrears.cases.models import Activity, CollectionCase, Promise
from arrears.core.money import format_yuan
from arrears.core.sql import table
from arrears.insights.kpis_history import fetch
from arrears.insights.kpis_holders import case_scope, holder_at_sql, holder_sql, month_instants
from arrears.portfolio.models import Payment


def collectors_and_teams(
    params: dict[str, Any], creditor_ids: Sequence[int] | None
) -> dict[str, Any]:
    """``collectors`` ({user, name, team, contacts, promises, collected}, most collected
    first), ``teams`` ({team, collected}), the month's ``collected`` on cases and the part
    of it that no team held (``unassigned_collected``). ``params`` carries ``first``,
    ``end`` and ``team`` (a team id or None) as ``month_kpis`` builds them."""
    collected = _collected(params, creditor_ids)
    contacts = _count_by_user(params, creditor_ids, "contacts")
    promises = _count_by_user(params, creditor_ids, "promises")
    by_user: dict[int, int] = {}
    by_team: dict[int, int] = {}
    unassigned = 0
    for team_id, user_id, amount in collected:
        if team_id is None:
            unassigned += amount
        else:
            by_team[team_id] = by_team.get(team_id, 0) + amount
        if user_id is not None:
            by_user[user_id] = by_user.get(user_id, 0) + amount
    if params["team"] is not None:
        by_team.setdefault(params["team"], 0)
    user_ids = set(by_user) | set(contacts) | set(promises)
    users = {user.pk: user for user in User.objects.filter(pk__in=user_ids).select_related("team")}
    ranked = sorted(
        users.items(),
        key=lambda item: (-by_user.get(item[0], 0), -contacts.get(item[0], 0), item[1].username),
    )
    collectors = [
        {
            "user": user.username,
            "name": user.get_full_name() or user.username,
            "team": user.team.name if user.team else "",
            "contacts": contacts.get(user_id, 0),
            "promises": promises.get(user_id, 0),
            "collected": format_yuan(by_user.get(user_id, 0)),
        }
        for user_id, user in ranked
    ]
    names = dict(Team.objects.filter(pk__in=by_team).values_list("pk", "name"))
    teams = sorted(
        ((names.get(team_id, str(team_id)), amount) for team_id, amount in by_team.items()),
        key=lambda pair: (-pair[1], pair[0]),
    )
    return {
        "collectors": collectors,
        "teams": [{"team": name, "collected": format_yuan(amount)} for name, amount in teams],
        "collected": format_yuan(sum(amount for _team, _user, amount in collected)),
        "unassigned_collected": format_yuan(unassigned),
    }


def _collected(
    params: dict[str, Any], creditor_ids: Sequence[int] | None
) -> list[tuple[int | None, int | None, int]]:
    """(team id, collector id, fen) of the month's payments on open cases by holder."""
    params = dict(params)
    scope = case_scope("c", creditor_ids, params)
    team = "" if params["team"] is None else "WHERE t.team_id = %(team)s"
    rows = fetch(
        f"""
        SELECT t.team_id, t.user_id, SUM(t.amount) FROM (
          SELECT p.amount AS amount,
                 {holder_sql("c.id", "p.paid_on", "team_id")} AS team_id,
                 {holder_sql("c.id", "p.paid_on", "assignee_id")} AS user_id
          FROM {table(CollectionCase)} AS c
          JOIN {table(Payment)} AS p ON p.loan_id = c.loan_id
            AND p.paid_on >= c.opened_on AND p.paid_on >= %(first)s AND p.paid_on <= %(end)s
            AND (c.closed_on IS NULL OR p.paid_on <= c.closed_on)
          WHERE c.opened_on <= %(end)s AND (c.closed_on IS NULL OR c.closed_on >= %(first)s)
            {scope}
        ) AS t {team}
        GROUP BY t.team_id, t.user_id
        """,
        params,
    )
    return [(team_id, user_id, int(amount)) for team_id, user_id, amount in rows]


def _count_by_user(
    params: dict[str, Any], creditor_ids: Sequence[int] | None, what: str
) -> dict[int, int]:
    """Contacts recorded (``what="contacts"``) or promises taken (``"promises"``) in the
    month, by the person who recorded them, on cases of the scope."""
    params = dict(params)
    scope = case_scope("c", creditor_ids, params)
    if what == "contacts":
        params.update(month_instants(params["first"], params["end"]))
        source, when = table(Activity), "x.at >= %(from_at)s AND x.at < %(to_at)s"
        held = holder_at_sql("x.case_id", "x.at", "team_id")
    else:
        source, when = table(Promise), "x.made_on >= %(first)s AND x.made_on <= %(end)s"
        held = holder_sql("x.case_id", "x.made_on", "team_id")
    team = "" if params["team"] is None else f"AND {held} = %(team)s"
    rows = fetch(
        f"""
        SELECT x.by_id, COUNT(*)
        FROM {source} AS x JOIN {table(CollectionCase)} AS c ON c.id = x.case_id
        WHERE {when} {scope} {team}
        GROUP BY x.by_id
        """,
        params,
    )
    return {int(user_id): int(count) for user_id, count in rows}
