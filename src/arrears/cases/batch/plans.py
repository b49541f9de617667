"""The daily cycle's judgement of repayment plans: what was paid, completed, broken.

Set-based over one partition of loans and one business date, like ``cases.batch``: every
statement reads the partition whole and is guarded, so running the same date twice changes
nothing. SQL that runs on SQLite (3.33+, ``UPDATE … FROM`` and window functions) and
PostgreSQL alike.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from arrears.cases.models import PlanInstallment, RepaymentPlan
from arrears.core.sql import day_number, execute_all, table
from arrears.portfolio.models import Payment


def plans_judge(*, first: int, last: int, on: date) -> int:
    """Judge the active plans of loans ``first``–``last`` on ``on``; return rows written.

    1. Each line's ``paid``: the payments received on the loan from the day the plan was
       made through ``on``, poured into the lines in order (down payment first), each
       line taking at most its amount.
    2. A plan with every line paid is completed.
    3. A plan with a line still short after its due date plus the plan's tolerance days
       is broken.

    The playbook of a case with an active plan is paused; the strategy reads the plan's
    status, so a plan that ends here lets the playbook resume in the same cycle day's plan
    step (``strategy.batch``), with an event saying why.
    """
    plan, line, payment = table(RepaymentPlan), table(PlanInstallment), table(Payment)
    params: dict[str, Any] = {
        "first": first,
        "last": last,
        "on": on,
        "day": on.toordinal(),
    }
    active = "rp.status = 'active' AND rp.loan_id BETWEEN %(first)s AND %(last)s"
    statements = [
        f"""
        UPDATE {line} AS li SET paid = CASE
                WHEN x.poured <= 0 THEN 0 WHEN x.poured >= li.amount THEN li.amount
                ELSE x.poured END
        FROM (
            SELECT o.id,
                COALESCE(r.received, 0)
                    - (SUM(o.amount) OVER (PARTITION BY o.plan_id ORDER BY o.number
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - o.amount)
                    AS poured
            FROM {line} AS o
            JOIN {plan} AS rp ON rp.id = o.plan_id
            LEFT JOIN (
                SELECT rp.id AS plan_id, SUM(p.amount) AS received
                FROM {plan} AS rp
                JOIN {payment} AS p ON p.loan_id = rp.loan_id
                    AND p.paid_on >= rp.made_on AND p.paid_on <= %(on)s
                WHERE {active}
                GROUP BY rp.id
            ) AS r ON r.plan_id = rp.id
            WHERE {active}
        ) AS x
        WHERE x.id = li.id AND li.paid <> CASE
                WHEN x.poured <= 0 THEN 0 WHEN x.poured >= li.amount THEN li.amount
                ELSE x.poured END
        """,
        f"""
        UPDATE {plan} SET status = 'completed', ended_on = %(on)s, updated_at = CURRENT_TIMESTAMP
        WHERE id IN (SELECT rp.id FROM {plan} AS rp WHERE {active})
          AND NOT EXISTS (
            SELECT 1 FROM {line} AS li WHERE li.plan_id = {plan}.id AND li.paid < li.amount
          )
        """,
        f"""
        UPDATE {plan} SET status = 'broken', ended_on = %(on)s, updated_at = CURRENT_TIMESTAMP
        WHERE id IN (SELECT rp.id FROM {plan} AS rp WHERE {active})
          AND EXISTS (
            SELECT 1 FROM {line} AS li WHERE li.plan_id = {plan}.id AND li.paid < li.amount
              AND {day_number("li.due_on")} + {plan}.tolerance_days < %(day)s
          )
        """,
    ]
    return execute_all(statements, params)
