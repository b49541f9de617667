"""The collection work of the benchmark's synthetic history, month by month, set-based.

After each stored month end (``bench_data.history_insert``): the cases open at the month
end before get the month's contacts, promises and payments (a cure pays the whole overdue
balance, a roll back part of it, a case staying put half the time one instalment); a case
whose loan changed bucket closes its bucket spell and opens the next (a case reaching M3 moves
from the creditor's early team to its late one: a stage-change assignment); a case whose
loan is current again closes as cured; and every overdue loan without an open case gets
one, with its first spell and assignment. A handful of statements a month, none per loan.
"""

from __future__ import annotations

from django.db import connection

from arrears.cases.models import (
    Activity,
    CaseAssignment,
    CaseBucketSpell,
    CollectionCase,
    Promise,
)
from arrears.core.sql import date_of_day, day_number, execute, table
from arrears.insights.bench_data import (
    NO_PARTY,
    SALT_COLLECTOR,
    SALT_CONTACT,
    SALT_PAID_ON,
    SALT_PAY,
    SALT_PROMISE,
    SALT_STAGE,
    Portfolio,
    bucket_number,
    collector,
    creditors_sql,
    lookup,
    previous_end,
    rand,
    timestamp,
)
from arrears.portfolio.models import Loan, LoanHistory, Payment

# Sealed content is not checked by the tables; a fixed digest stands in for it.
SEAL = "0" * 64
CASES, SPELLS, LOANS, HISTORY = (
    table(CollectionCase),
    table(CaseBucketSpell),
    table(Loan),
    table(LoanHistory),
)
# The first day of the bucket a history row ``h`` is in, as a day number.
ENTERED_DAY = (
    "%(end_day)s - h.dpd + CASE WHEN h.bucket = 'M7' THEN 181"
    f" ELSE 30 * ({bucket_number('h.bucket')} - 1) + 1 END"
)


def month_work(month: int, portfolio: Portfolio) -> dict[str, int]:
    """The month ending at month end ``month`` (≥ 1) for the cases open at the one before:
    payments, promises and contacts, bucket changes, cures. Rows written, by table."""
    end = portfolio.month_ends[month]
    previous = previous_end(month, portfolio)
    params = {
        "end": end,
        "end_day": end.toordinal(),
        "previous": previous,
        "previous_day": previous.toordinal(),
        "now": portfolio.now,
        "seal": SEAL,
    }
    creditors = creditors_sql(portfolio)
    key = f"c.loan_id * 16 + {month}"
    source = f"""
        SELECT c.id AS case_id, c.loan_id, c.creditor_id, c.assignee_id, l.loan_id AS ref,
            p.overdue_total AS pot, p.penalty_accrued AS ppen,
            {bucket_number("p.bucket")} AS pb, {bucket_number("h.bucket")} AS b,
            {rand(key, SALT_PAY)} AS r, {rand(key, SALT_PAID_ON)} AS rd,
            {rand(key, SALT_PROMISE)} AS rp
        FROM {CASES} c
        JOIN {LOANS} l ON l.id = c.loan_id
        JOIN {HISTORY} p ON p.loan_id = c.loan_id AND p.business_date = %(previous)s
        JOIN {HISTORY} h ON h.loan_id = c.loan_id AND h.business_date = %(end)s
        WHERE c.status = 'open' AND c.creditor_id IN ({creditors})
    """
    amount = (
        "CASE WHEN s.b = 0 THEN s.pot + s.ppen WHEN s.b < s.pb THEN s.pot * (s.pb - s.b) / s.pb"
        " WHEN s.b = s.pb AND s.r < 5000 THEN s.pot / s.pb"
        " WHEN s.b > s.pb AND s.r < 1500 THEN s.pot / (3 * s.pb) ELSE 0 END"
    )
    paid_day = (
        "CASE WHEN s.b = 0 THEN %(end_day)s - s.rd %% 20 ELSE %(previous_day)s + 1 + s.rd %% 25 END"
    )
    written = {
        "payments": execute(
            f"""INSERT INTO {table(Payment)} (creditor_id, loan_id, payment_id, paid_on, amount,
                    channel, created_at, updated_at)
                SELECT s.creditor_id, s.loan_id, s.ref || '-{month}', {date_of_day(paid_day)},
                    s.amount, 'bench', %(now)s, %(now)s
                FROM (SELECT s.*, {amount} AS amount FROM ({source}) s) s
                WHERE s.amount > 0""",
            params,
        )
    }
    made = "%(previous_day)s + 1 + s.rp %% 15"
    kept = "s.amount >= s.pamount"
    written["promises"] = execute(
        f"""INSERT INTO {table(Promise)} (case_id, loan_id, party_id, amount, made_on, due_on,
                tolerance_days, status, paid, resolved_on, activity_id, by_id, created_at,
                updated_at)
            SELECT s.case_id, s.loan_id, {NO_PARTY}, s.pamount, {date_of_day(made)},
                {date_of_day(f"{made} + 5")}, 0,
                CASE WHEN {kept} THEN 'kept' ELSE 'broken' END,
                CASE WHEN {kept} THEN s.pamount ELSE s.amount END,
                {date_of_day(f"{made} + CASE WHEN {kept} THEN 5 ELSE 6 END")}, NULL,
                s.assignee_id, %(now)s, %(now)s
            FROM (SELECT s.*, {amount} AS amount,
                    CASE WHEN s.rp < 1000 THEN s.pot ELSE s.pot / s.pb END AS pamount
                  FROM ({source}) s WHERE s.rp < 3500) s""",
        params,
    )
    promised = "(s.k = 1 AND s.rp < 3500)"
    contact_day = (
        "%(previous_day)s + 1 + CASE s.k WHEN 1 THEN s.rp %% 15 WHEN 2 THEN 16 ELSE 24 END"
    )
    written["activities"] = execute(
        f"""INSERT INTO {table(Activity)} (case_id, party_id, contact_point_id, channel,
                party_reached, outcome, reason, notes, next_follow_up_at, attempt_id, by_id, at,
                sha256, created_at)
            SELECT s.case_id, {NO_PARTY}, NULL, 'call',
                CASE WHEN {promised} OR s.ra < 3800 THEN 'borrower'
                     WHEN s.ra < 4800 THEN 'third_party' ELSE 'nobody' END,
                CASE WHEN {promised} THEN 'promise' WHEN s.ra < 1000 THEN 'refused'
                     WHEN s.ra < 1500 THEN 'hardship' WHEN s.ra < 3800 THEN 'right_party'
                     WHEN s.ra < 4800 THEN 'third_party' WHEN s.ra < 8000 THEN 'no_answer'
                     WHEN s.ra < 9300 THEN 'busy' ELSE 'wrong_number' END,
                '', '', NULL, NULL, s.assignee_id, {timestamp(contact_day, 2)}, %(seal)s,
                %(now)s
            FROM (SELECT s.*, k.k,
                    {rand(f"s.loan_id * 64 + {month * 4} + k.k", SALT_CONTACT)} AS ra
                  FROM ({source}) s
                  CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) k
                  WHERE k.k <= 1 + s.rp / 7 %% 3) s""",
        params,
    )
    written.update(_bucket_changes(month, portfolio, params))
    written["cases_cured"] = _cures(month, portfolio, params)
    return written


def _bucket_changes(month: int, portfolio: Portfolio, params: dict[str, object]) -> dict[str, int]:
    """Open cases whose loan is in another overdue bucket at the month end: the spell closed
    and the next opened, a move to the late team at M3, the case's DPD and bucket updated."""
    creditors = creditors_sql(portfolio)
    late = lookup("c.creditor_id", portfolio.late_team)
    stage = (
        "h.bucket NOT IN ('M1', 'M2') AND c.team_id IN"
        f" ({', '.join(str(t) for t in portfolio.early_team.values())})"
    )
    late_collector = collector(late, rand(f"c.id * 16 + {month}", SALT_STAGE), portfolio)
    cases_at_end = f"""
        FROM {CASES} c
        JOIN {HISTORY} h ON h.loan_id = c.loan_id AND h.business_date = %(end)s
        WHERE c.status = 'open' AND c.creditor_id IN ({creditors}) AND h.bucket <> 'M0'
    """
    changed = f"{cases_at_end} AND h.bucket <> c.bucket"
    entered = date_of_day(ENTERED_DAY)
    written = {
        "spells_closed": execute(
            f"""UPDATE {SPELLS} SET left_on = x.entered
                FROM (SELECT c.id AS case_id, {entered} AS entered {changed}) x
                WHERE {SPELLS}.case_id = x.case_id AND {SPELLS}.left_on IS NULL""",
            params,
        ),
        "spells": execute(
            f"""INSERT INTO {SPELLS} (case_id, bucket, entered_on, left_on)
                SELECT c.id, h.bucket, {entered}, NULL {changed}""",
            params,
        ),
        "stage_changes": execute(
            f"""INSERT INTO {table(CaseAssignment)} (case_id, team_id, assignee_id,
                    previous_assignee_id, rule, reason, by_id, "on", at)
                SELECT c.id, {late}, {late_collector}, c.assignee_id, 'stage_change', '', NULL,
                    {entered}, {timestamp(ENTERED_DAY, 1)} {changed} AND {stage}""",
            params,
        ),
    }
    moved = f"(h.bucket <> c.bucket AND {stage})"
    execute(
        f"""UPDATE {CASES} SET current_dpd = x.dpd, bucket = x.bucket, worst_dpd = x.worst,
                updated_on = %(end)s, team_id = x.team_id, assignee_id = x.assignee_id,
                assigned_on = x.assigned_on, updated_at = %(now)s
            FROM (SELECT c.id AS case_id, h.dpd, h.bucket,
                    CASE WHEN h.dpd > c.worst_dpd THEN h.dpd ELSE c.worst_dpd END AS worst,
                    CASE WHEN {moved} THEN {late} ELSE c.team_id END AS team_id,
                    CASE WHEN {moved} THEN {late_collector} ELSE c.assignee_id END
                        AS assignee_id,
                    CASE WHEN {moved} THEN {entered} ELSE c.assigned_on END AS assigned_on
                  {cases_at_end}) x
            WHERE {CASES}.id = x.case_id""",
        params,
    )
    return written


def _cures(month: int, portfolio: Portfolio, params: dict[str, object]) -> int:
    """Close as cured the open cases whose loan is current at the month end, on the day the
    cure payment came (``month_work`` drew the same day), with their last spell."""
    closed_on = date_of_day(
        f"%(end_day)s - {rand(f'c.loan_id * 16 + {month}', SALT_PAID_ON)} %% 20"
    )
    cured = f"""
        SELECT c.id AS case_id, {closed_on} AS closed_on
        FROM {CASES} c
        JOIN {HISTORY} h ON h.loan_id = c.loan_id AND h.business_date = %(end)s
        WHERE c.status = 'open' AND c.creditor_id IN ({creditors_sql(portfolio)})
            AND h.bucket = 'M0'
    """
    execute(
        f"""UPDATE {SPELLS} SET left_on = x.closed_on FROM ({cured}) x
            WHERE {SPELLS}.case_id = x.case_id AND {SPELLS}.left_on IS NULL""",
        params,
    )
    return execute(
        f"""UPDATE {CASES} SET status = 'closed', closed_on = x.closed_on,
                close_reason = 'cured', current_dpd = 0, updated_on = x.closed_on,
                updated_at = %(now)s
            FROM ({cured}) x WHERE {CASES}.id = x.case_id""",
        params,
    )


def cases_open(month: int, portfolio: Portfolio) -> dict[str, int]:
    """A case for every loan overdue at month end ``month`` without an open one, opened on
    the day it fell due (month end less DPD), on the creditor's early team (M1–M2) or late
    team, with a collector, its first bucket spell and its assignment row."""
    end = portfolio.month_ends[month]
    params = {"end": end, "end_day": end.toordinal(), "now": portfolio.now}
    with_cases = execute_scalar(f"SELECT COALESCE(MAX(id), 0) FROM {CASES}")
    params["after"] = with_cases
    early = lookup("l.creditor_id", portfolio.early_team)
    late = lookup("l.creditor_id", portfolio.late_team)
    opened = execute(
        f"""INSERT INTO {CASES} (loan_id, creditor_id, status, opened_on, entry_dpd,
                entry_amount, current_dpd, bucket, worst_dpd, updated_on, closed_on,
                close_reason, team_id, assignee_id, assigned_on, delinquency_reason, risk_grade,
                created_at, updated_at)
            SELECT v.loan_id, v.creditor_id, 'open', v.opened_on, v.dpd, v.overdue_total, v.dpd,
                v.bucket, v.dpd, %(end)s, NULL, '', v.team_id,
                {collector("v.team_id", "v.r", portfolio)}, v.opened_on, '', '', %(now)s, %(now)s
            FROM (SELECT h.loan_id, l.creditor_id, {date_of_day("%(end_day)s - h.dpd + 1")}
                        AS opened_on, h.dpd, h.overdue_total, h.bucket,
                    CASE WHEN h.bucket IN ('M1', 'M2') THEN {early} ELSE {late} END AS team_id,
                    {rand(f"h.loan_id * 16 + {month}", SALT_COLLECTOR)} AS r
                  FROM {LOANS} l
                  JOIN {HISTORY} h ON h.loan_id = l.id AND h.business_date = %(end)s
                  WHERE l.creditor_id IN ({creditors_sql(portfolio)}) AND h.bucket <> 'M0'
                    AND NOT EXISTS (SELECT 1 FROM {CASES} c
                                    WHERE c.loan_id = l.id AND c.status = 'open')) v""",
        params,
    )
    execute(
        f"""INSERT INTO {SPELLS} (case_id, bucket, entered_on, left_on)
            SELECT c.id, c.bucket, {date_of_day(ENTERED_DAY)}, NULL
            FROM {CASES} c
            JOIN {HISTORY} h ON h.loan_id = c.loan_id AND h.business_date = %(end)s
            WHERE c.id > %(after)s""",
        params,
    )
    execute(
        f"""INSERT INTO {table(CaseAssignment)} (case_id, team_id, assignee_id,
                previous_assignee_id, rule, reason, by_id, "on", at)
            SELECT c.id, c.team_id, c.assignee_id, NULL, 'round_robin', '', NULL, c.opened_on,
                {timestamp(day_number("c.opened_on"), 1)}
            FROM {CASES} c WHERE c.id > %(after)s""",
        params,
    )
    return {"cases": opened}


def execute_scalar(sql: str) -> int:
    """The single integer a query returns."""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])
