"""Judging promises to pay in the daily cycle: kept or broken.

A promise counts the payments on its loan from the day it was made up to its due date plus
its tolerance (and never beyond the business date being closed). It is kept as soon as
those reach its amount; broken the first business date after the tolerance ran out without
that. Set-based and guarded: only open promises are touched and a promise's ``paid`` is
rewritten only when it differs, so running a date twice changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from arrears.cases.choices import PromiseStatus
from arrears.cases.models import Promise
from arrears.core.sql import day_number, execute_all, table
from arrears.portfolio.models import Payment


def promises_judge(*, first: int, last: int, on: date) -> int:
    """Judge the open promises of loans ``first``–``last`` on business date ``on``.

    Returns the number of promise rows written (paid updated, kept, broken).
    """
    promise, payment = table(Promise), table(Payment)
    params: dict[str, Any] = {
        "first": first,
        "last": last,
        "on": on,
        "day": on.toordinal(),
        "open": PromiseStatus.OPEN.value,
        "kept": PromiseStatus.KEPT.value,
        "broken": PromiseStatus.BROKEN.value,
    }
    # Payments after the tolerance do not keep a promise already broken, so they are not
    # counted towards it either: ``paid`` is what the promise was judged on.
    statements = [
        f"""
        UPDATE {promise} AS pr SET paid = t.total, updated_at = CURRENT_TIMESTAMP
        FROM (
            SELECT p2.id AS promise_id, COALESCE(SUM(py.amount), 0) AS total
            FROM {promise} AS p2
            LEFT JOIN {payment} AS py ON py.loan_id = p2.loan_id
              AND py.paid_on >= p2.made_on AND py.paid_on <= %(on)s
              AND {day_number("py.paid_on")} <= {day_number("p2.due_on")} + p2.tolerance_days
            WHERE p2.status = %(open)s AND p2.loan_id BETWEEN %(first)s AND %(last)s
            GROUP BY p2.id
        ) AS t
        WHERE pr.id = t.promise_id AND pr.paid <> t.total
        """,
        f"""
        UPDATE {promise} SET status = %(kept)s, resolved_on = %(on)s,
            updated_at = CURRENT_TIMESTAMP
        WHERE status = %(open)s AND loan_id BETWEEN %(first)s AND %(last)s
          AND paid >= amount
        """,
        f"""
        UPDATE {promise} SET status = %(broken)s, resolved_on = %(on)s,
            updated_at = CURRENT_TIMESTAMP
        WHERE status = %(open)s AND loan_id BETWEEN %(first)s AND %(last)s
          AND paid < amount AND {day_number("due_on")} + tolerance_days < %(day)s
        """,
    ]
    return execute_all(statements, params)
