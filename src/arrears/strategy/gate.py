"""The compliance gate over the actions one plan step wrote: parties with a hold or a
recent call are judged one by one with their history, everyone else in groups that share
creditor, channel, role, purpose and due time (their situation is the same, so is the
answer). Only where the gate refuses are rows changed — blocked with its reasons, or moved
to the next allowed moment when only time stands in the way — and every refusal is stored.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from arrears.compliance.batch import (
    Candidate,
    contact_check_alike,
    contact_check_many,
    refusals_store,
)
from arrears.compliance.models import ContactAttempt, Hold
from arrears.compliance.rules import Decision
from arrears.compliance.selectors import HISTORY_DAYS
from arrears.core.sql import table
from arrears.portfolio.models import Loan
from arrears.strategy.due import json_param
from arrears.strategy.models import PlannedAction

PLANNER = "strategy:plan"


def gate(first: int, last: int, on: date, after_id: int) -> int:
    """Judge the contacts planned by this call (ids above ``after_id`` in the range)."""
    planned, loan = table(PlannedAction), table(Loan)
    hold, attempt = table(Hold), table(ContactAttempt)
    adapt = connection.ops.adapt_datetimefield_value
    since = adapt(
        datetime.combine(on, time(0), tzinfo=ZoneInfo("UTC")) - timedelta(days=HISTORY_DAYS)
    )
    params: dict[str, Any] = {
        "first": first,
        "last": last,
        "on": on,
        "after": after_id,
        "since": since,
    }
    mine = """
        pa.id > %(after)s AND pa.business_date = %(on)s
        AND pa.loan_id BETWEEN %(first)s AND %(last)s AND l.id BETWEEN %(first)s AND %(last)s
        AND pa.channel <> ''
    """
    special = f"""(
        pa.party_id IN (SELECT h.party_id FROM {hold} AS h
                        WHERE h.lifted_at IS NULL AND h.party_id IS NOT NULL)
        OR pa.loan_id IN (SELECT h.loan_id FROM {hold} AS h
                          WHERE h.lifted_at IS NULL AND h.loan_id IS NOT NULL)
        OR (pa.channel = 'call' AND EXISTS (
            SELECT 1 FROM {attempt} AS a WHERE a.party_id = pa.party_id AND a.at >= %(since)s))
    )"""
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT pa.id, l.creditor_id, pa.loan_id, pa.party_id, pa.target_role, pa.channel,
                   pa.type, pa.due_at
            FROM {planned} AS pa JOIN {loan} AS l ON l.id = pa.loan_id
            WHERE {mine} AND {special}
            """,
            params,
        )
        one_by_one = cursor.fetchall()
        cursor.execute(
            f"""
            SELECT l.creditor_id, pa.channel, pa.target_role, pa.type, pa.due_at
            FROM {planned} AS pa JOIN {loan} AS l ON l.id = pa.loan_id
            WHERE {mine} AND NOT {special}
            GROUP BY l.creditor_id, pa.channel, pa.target_role, pa.type, pa.due_at
            """,
            params,
        )
        groups = cursor.fetchall()
    if one_by_one:
        decisions = contact_check_many(
            [
                Candidate(
                    creditor_id=creditor_id,
                    loan_id=loan_id,
                    party_id=party_id,
                    role=role,
                    channel=channel,
                    at=_aware(due_at),
                    purpose=kind,
                    staff=_staff(kind),
                )
                for _, creditor_id, loan_id, party_id, role, channel, kind, due_at in one_by_one
            ],
            asked_by=PLANNER,
        )
        updates = [
            (*_verdict(decision), row[0])
            for row, decision in zip(one_by_one, decisions, strict=True)
            if not decision.allowed
        ]
        if updates:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {planned} SET status = %s, blocked_reasons = {json_param()},"
                    " due_at = COALESCE(%s, due_at) WHERE id = %s",
                    updates,
                )
            changed += len(updates)
    for creditor_id, channel, role, kind, due_at in groups:
        decision = contact_check_alike(
            creditor_id=creditor_id,
            channel=channel,
            role=role,
            purpose=kind,
            at=_aware(due_at),
            staff=_staff(kind),
        )
        if decision.allowed:
            continue
        changed += _refuse_group(
            params, mine, special, decision, creditor_id, channel, role, kind, due_at
        )
    return changed


def _refuse_group(
    params: dict[str, Any],
    mine: str,
    special: str,
    decision: Decision,
    creditor_id: int,
    channel: str,
    role: str,
    kind: str,
    due_at: Any,
) -> int:
    """Apply one refusal to every row of a group and store it for each of them."""
    planned, loan = table(PlannedAction), table(Loan)
    group = dict(params, creditor=creditor_id, channel=channel, role=role, kind=kind, due=due_at)
    where = f"""{mine} AND NOT {special} AND l.creditor_id = %(creditor)s
        AND pa.channel = %(channel)s AND pa.target_role = %(role)s AND pa.type = %(kind)s
        AND pa.due_at = %(due)s"""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pa.id, pa.loan_id, pa.party_id FROM {planned} AS pa"
            f" JOIN {loan} AS l ON l.id = pa.loan_id WHERE {where}",
            group,
        )
        rows = cursor.fetchall()
    at = _aware(due_at)
    refusals_store(
        [(loan_id, party_id, role, channel, kind, at, decision) for _, loan_id, party_id in rows],
        asked_by=PLANNER,
    )
    status, reasons, when = _verdict(decision)
    ids = [row[0] for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5_000):
            chunk = ids[start : start + 5_000]
            cursor.execute(
                f"UPDATE {planned} SET status = %s, blocked_reasons = {json_param()},"
                f" due_at = COALESCE(%s, due_at) WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                [status, reasons, when, *chunk],
            )
    return len(ids)


def _aware(value: Any) -> datetime:
    """A due time read back from the database, as an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value


def _staff(kind: str) -> int:
    # A visit is planned for the two staff the rules require; the gate checks the staff
    # actually sent when the visit is recorded.
    return 2 if kind == "visit" else 1


def _verdict(decision: Decision) -> tuple[str, str, Any]:
    """(status, reasons as JSON, due time) for a refused contact."""
    adapt = connection.ops.adapt_datetimefield_value
    if decision.next_allowed_at is None:
        return "blocked", json.dumps(decision.reasons, ensure_ascii=False), None
    # Only time stands in the way: the action waits for the next allowed moment.
    return "queued", "[]", adapt(decision.next_allowed_at)
