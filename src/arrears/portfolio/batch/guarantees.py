"""The cycle's guarantee watch: which guarantees end within 30 days unpreserved.

One read per partition of its guarantor and counter-guarantor rows (with the main debt's
final due date, the acceleration date and whether the loan still owes money), one read of
the acts recorded against guarantors, the period worked out by
``calculations.guarantee_period`` (calendar-month arithmetic SQL cannot share between
SQLite and PostgreSQL), then one ``UPDATE`` per changed value. Guarantor rows are a small
share of a portfolio's parties, and only rows whose flag changes are written.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db import connection

from arrears.core.bulk import chunked
from arrears.core.sql import table
from arrears.portfolio.calculations.guarantee_period import (
    ENDING_WINDOW_DAYS,
    LEGAL_ACTION,
    events_for,
    guarantee_state,
)
from arrears.portfolio.choices import PartyRole
from arrears.portfolio.models import (
    Installment,
    LimitationEvent,
    Loan,
    LoanParty,
    LoanPosition,
)

GUARANTEE_ROLES = (PartyRole.GUARANTOR.value, PartyRole.COUNTER_GUARANTOR.value)


def _guarantee_rows(first: int, last: int, on: date) -> list[tuple[Any, ...]]:
    """The guarantor rows of the partition whose flag can be up on ``on``, or is.

    A guarantee period never ends before the main debt's performance period does (an agreed
    end before it counts as no agreement, art. 692), so a guarantee whose main debt ends
    more than the window after ``on`` cannot be ending: it is not read into Python at all.
    Most guarantees of a running book are such, and judging each one every day was the
    step's cost. A loan that owes nothing raises no flag either, so a matured, repaid
    loan's guarantees are not read every day for the rest of the book's life. Rows flagged
    now are always read, so a flag is cleared when it must be.
    """
    # The main debt's final due date is the last installment's: one step down the unique
    # (loan, seq) index, where MAX(due_on) read every installment of the loan.
    owed = (
        "p.principal_outstanding + p.overdue_principal + p.overdue_interest"
        " + p.overdue_fees + p.overdue_penalty"
    )
    roles = ", ".join(f"%(role{n})s" for n in range(len(GUARANTEE_ROLES)))
    sql = f"""
        SELECT * FROM (
            SELECT lp.id, lp.loan_id, lp.party_id, lp.guarantee_kind,
                   lp.guarantee_period_ends_on, lp.guarantee_period_months, l.accelerated_on,
                   (SELECT i.due_on FROM {table(Installment)} AS i WHERE i.loan_id = l.id
                    ORDER BY i.seq DESC LIMIT 1) AS last_due,
                   CASE WHEN p.loan_id IS NOT NULL AND {owed} > 0 THEN 1 ELSE 0 END AS owes,
                   lp.guarantee_ending
            FROM {table(LoanParty)} AS lp
            JOIN {table(Loan)} AS l ON l.id = lp.loan_id
            LEFT JOIN {table(LoanPosition)} AS p
              ON p.loan_id = lp.loan_id AND p.loan_id BETWEEN %(first)s AND %(last)s
            WHERE lp.loan_id BETWEEN %(first)s AND %(last)s AND lp.role IN ({roles})
              AND l.id BETWEEN %(first)s AND %(last)s
        ) AS g
        WHERE g.guarantee_ending
           OR (g.owes = 1 AND (g.accelerated_on <= %(horizon)s
                               OR COALESCE(g.last_due <= %(horizon)s, g.accelerated_on IS NULL)))
    """
    # The ranges on the loans and positions as well as the parties: PostgreSQL carries
    # equalities across a join, not ranges, and without them it read every loan and
    # position of the book once per partition (15 s of a 1M-loan day). The last due date
    # is named once in the test (no installment at all counts as due, unless accelerated
    # later): PostgreSQL probes the schedule for each mention.
    horizon = on + timedelta(days=ENDING_WINDOW_DAYS)
    params: dict[str, int | str | date] = {"first": first, "last": last, "horizon": horizon}
    params.update({f"role{n}": role for n, role in enumerate(GUARANTEE_ROLES)})
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _guarantor_events(
    first: int, last: int, on: date, loan_ids: set[int]
) -> dict[int, list[tuple[date, str, int | None]]]:
    """Per loan of ``loan_ids``, the acts that can preserve a guarantee: any act naming a
    party, and every suit or arbitration (against the debtor, it preserves a general
    guarantee).

    A few loans are read by key (the (loan, occurred_on) index); many, as one read of the
    partition. Every message to a guarantor records an act, so the partition's acts grow
    with each day collected, while the guarantees judged on a day are few."""
    events: dict[int, list[tuple[date, str, int | None]]] = defaultdict(list)
    select = (
        f"SELECT loan_id, occurred_on, kind, party_id FROM {table(LimitationEvent)}"
        " WHERE occurred_on <= %s AND (party_id IS NOT NULL OR kind = %s)"
    )
    reads: list[tuple[str, list[Any]]]
    if 4 * len(loan_ids) >= last - first + 1:
        reads = [(f"{select} AND loan_id BETWEEN %s AND %s", [on, LEGAL_ACTION, first, last])]
    else:
        reads = [
            (
                f"{select} AND loan_id IN ({', '.join(['%s'] * len(batch))})",
                [on, LEGAL_ACTION, *batch],
            )
            for batch in chunked(sorted(loan_ids), 900)
        ]
    with connection.cursor() as cursor:
        for sql, params in reads:
            cursor.execute(sql, params)
            for loan_id, occurred_on, kind, party_id in cursor.fetchall():
                events[loan_id].append((_as_date(occurred_on), kind, party_id))
    return events


def _as_date(value: object) -> date:
    # SQLite hands raw SQL dates back as ISO text.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _maybe_date(value: object) -> date | None:
    return None if value is None else _as_date(value)


def guarantees_watch(*, first: int, last: int, on: date) -> int:
    """Flag each guarantee of the loans ``first``–``last`` whose loan still owes money and
    whose period ends within 30 days of ``on`` with no preserving act on file (and clear
    the flag elsewhere); return how many rows changed. Idempotent for a date."""
    rows = _guarantee_rows(first, last, on)
    if not rows:
        return 0
    events = _guarantor_events(first, last, on, {int(row[1]) for row in rows})
    raise_ids: list[int] = []
    clear_ids: list[int] = []
    for pk, loan_id, party_id, kind, agreed, months, accelerated, last_due, owes, flag in rows:
        state = guarantee_state(
            kind=str(kind),
            agreed_end=_maybe_date(agreed),
            agreed_months=int(months) if months is not None else None,
            main_due_on=_maybe_date(last_due),
            accelerated_on=_maybe_date(accelerated),
            events=events_for(str(kind), int(party_id), events.get(int(loan_id), [])),
            on=on,
        )
        ending = bool(owes) and state.is_ending(on)
        if ending != bool(flag):
            (raise_ids if ending else clear_ids).append(int(pk))
    changed = 0
    for ids, value in ((raise_ids, True), (clear_ids, False)):
        for batch in chunked(ids, 900):
            changed += LoanParty.objects.filter(pk__in=batch).update(guarantee_ending=value)
    return changed
