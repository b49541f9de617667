"""The synthetic history ``arrears bench insights`` times the tables on, written set-based.

Loans come from one ``INSERT … SELECT`` over a series (``generate_series`` on PostgreSQL, a
recursive CTE on SQLite); each stored month end is one ``INSERT … SELECT`` of every loan's
row from its row of the month end before, so a loan's bucket moves month to month by a
fixed transition table (most stay current, a few % roll forward, some cure). The cases,
their bucket spells, assignments, payments, promises and contacts follow from those rows,
month by month, a handful of statements each. Randomness is a hash of the loan id and the
month in SQL (the same on both databases), so no row passes through Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection

from arrears.core.sql import date_of_day, day_number, execute, table
from arrears.portfolio.models import Loan, LoanHistory

# Bucket transitions per month, in 1/10,000: {from: [(to, weight), …]}. A loan current at
# one month end is 1–30 days late at the next at worst, so M0 only rolls to M1.
TRANSITIONS: dict[int, list[tuple[int, int]]] = {
    0: [(0, 9650), (1, 350)],
    1: [(0, 4500), (1, 1500), (2, 4000)],
    2: [(0, 1500), (1, 1000), (2, 1500), (3, 6000)],
    3: [(0, 800), (2, 500), (3, 1200), (4, 7500)],
    4: [(0, 400), (3, 300), (4, 1000), (5, 8300)],
    5: [(0, 300), (5, 900), (6, 8800)],
    6: [(0, 200), (6, 800), (7, 9000)],
    7: [(0, 100), (7, 9900)],
}
# Buckets of the loans already on the books at the first stored month end.
INITIAL_MIX = [(0, 9100), (1, 300), (2, 150), (3, 120), (4, 100), (5, 80), (6, 70), (7, 80)]
# Distinct salts keep the hashes drawn for different purposes independent.
SALT_PRODUCT, SALT_PRINCIPAL, SALT_TERM, SALT_MONTH, SALT_DAY = 1, 2, 3, 4, 5
SALT_BUCKET, SALT_CLOSE, SALT_DPD, SALT_COLLECTOR, SALT_PAY = 6, 7, 8, 9, 10
SALT_PAID_ON, SALT_PROMISE, SALT_CONTACT, SALT_STAGE = 11, 12, 13, 14
DISBURSEMENT_MONTHS = 24
# The unreached party of the synthetic contacts and promises (the benchmark makes no parties).
NO_PARTY = 0


@dataclass(frozen=True)
class Portfolio:
    """The fixed rows the synthetic history refers to: products by creditor, each creditor's
    early (M1–M2) and late (M3+) team, the collectors of each team, and the month ends."""

    products: Sequence[tuple[int, int]]  # (product id, creditor id)
    early_team: Mapping[int, int]  # creditor id → team id
    late_team: Mapping[int, int]
    collectors: Mapping[int, Sequence[int]]  # team id → user ids
    month_ends: Sequence[date]
    now: object  # a wall-clock stamp, adapted for the database


def rand(key: str, salt: int) -> str:
    """SQL for a pseudo-random integer in 0..9999 drawn from an integer expression: a
    multiplicative hash, a square (so different salts are not a shifted copy) and a final
    scramble, all within 64 bits on both databases."""
    prime = 2147483647
    mixed = f"((CAST({key} AS BIGINT) + {salt * 1000003}) * 2654435761 %% {prime})"
    return f"(({mixed} * {mixed} %% {prime}) * 48271 %% {prime} / 214749)"


def _pick(expression: str, weights: Sequence[tuple[int, int]]) -> str:
    """SQL choosing a bucket by cumulative weight of a 0..9999 draw."""
    arms, total = [], 0
    for value, weight in weights[:-1]:
        total += weight
        arms.append(f"WHEN {expression} < {total} THEN {value}")
    return f"(CASE {' '.join(arms)} ELSE {weights[-1][0]} END)"


def lookup(expression: str, mapping: Mapping[int, object]) -> str:
    """SQL mapping the integer ``expression`` through ``mapping`` (a ``CASE``)."""
    arms = " ".join(f"WHEN {key} THEN {value}" for key, value in mapping.items())
    return f"(CASE {expression} {arms} END)"


def collector(team: str, draw: str, portfolio: Portfolio) -> str:
    """SQL for one collector of ``team`` chosen by ``draw``."""
    return lookup(
        team,
        {
            team_id: lookup(f"{draw} %% {len(users)}", dict(enumerate(users)))
            for team_id, users in portfolio.collectors.items()
        },
    )


def timestamp(day: str, hours: int) -> str:
    """SQL for ``hours`` o'clock UTC of a day-number expression (a contact's time)."""
    if connection.vendor == "postgresql":
        return f"(CAST({date_of_day(day)} AS TIMESTAMP) + INTERVAL '{int(hours)} hours')"
    return f"datetime({date_of_day(day)}, '+{int(hours)} hours')"


def bucket_number(column: str) -> str:
    """SQL for the number of a bucket column (``M3`` → 3)."""
    return f"CAST(SUBSTR({column}, 2, 1) AS INTEGER)"


def creditors_sql(portfolio: Portfolio) -> str:
    """The benchmark's creditor ids as an SQL list (ids the benchmark made, not input)."""
    return ", ".join(str(c) for c in sorted({c for _, c in portfolio.products}))


def loans_insert(count: int, portfolio: Portfolio, prefix: str) -> int:
    """Insert ``count`` loans over the products, disbursed over the 24 months up to the last
    month end (a uniform spread), principal 5,000–300,000 yuan, terms 6–36 months."""
    last = portfolio.month_ends[-1]
    firsts = {}
    for back in range(DISBURSEMENT_MONTHS):
        index = last.year * 12 + last.month - 1 - (DISBURSEMENT_MONTHS - 1 - back)
        firsts[back] = date(index // 12, index % 12 + 1, 1).toordinal()
    product = f"({rand('s.n', SALT_PRODUCT)} %% {len(portfolio.products)})"
    month = f"({rand('s.n', SALT_MONTH)} %% {DISBURSEMENT_MONTHS})"
    disbursed = date_of_day(f"{lookup(month, firsts)} + {rand('s.n', SALT_DAY)} %% 28")
    if connection.vendor == "postgresql":
        series_with, series = "", "generate_series(1, %(count)s) AS s(n)"
    else:
        series_with = (
            "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %(count)s)"
        )
        series = "s"
    sql = f"""
        INSERT INTO {table(Loan)} (creditor_id, product_id, loan_id, principal, annual_rate,
            term_months, repayment_method, disbursed_on, penalty_rate, grace_days, day_count,
            allocation_order, currency, branch, guarantee_type, status, created_at, updated_at)
        {series_with}
        SELECT {lookup(product, {k: c for k, (_, c) in enumerate(portfolio.products)})},
            {lookup(product, {k: p for k, (p, _) in enumerate(portfolio.products)})},
            CAST(%(prefix)s AS VARCHAR(40)) || CAST(s.n AS VARCHAR(20)),
            (5000 + {rand("s.n", SALT_PRINCIPAL)} %% 296 * 1000) * 100, 0.1540,
            {lookup(f"{rand('s.n', SALT_TERM)} %% 4", {0: 6, 1: 12, 2: 24, 3: 36})},
            'annuity', {disbursed}, 0.2310, 0, 360, 'fees,penalty,interest,principal', 'CNY',
            '', 'credit', 'active', %(now)s, %(now)s
        FROM {series}
    """
    return execute(sql, {"count": count, "prefix": prefix, "now": portfolio.now})


def history_insert(month: int, portfolio: Portfolio) -> int:
    """Insert every loan's row at month end ``month`` (0-based) from its row of the month
    end before: the next bucket by ``TRANSITIONS`` (a new loan starts current; the loans on
    the books at the first month end start from ``INITIAL_MIX``), DPD within the bucket,
    principal amortising by months on book less months behind, and a loan current at its
    maturity (or 1.2 % a month prepaying) paid off: principal outstanding 0 from then on."""
    end = portfolio.month_ends[month]
    previous = previous_end(month, portfolio)
    transition = " ".join(
        f"WHEN {source} THEN {_pick('q.r1', weights)}" for source, weights in TRANSITIONS.items()
    )
    # Products differ in risk: the chance a current loan rolls to M1 grows with the product.
    transition = transition.replace(
        "WHEN 0 THEN (CASE WHEN q.r1 < 9650 THEN 0",
        "WHEN 0 THEN (CASE WHEN q.r1 < 9700 - q.risk THEN 0",
    )
    # A loan on the books at the first month end starts in a bucket it can have reached
    # (its DPD never older than its first due date).
    initial = _pick("q.r1", INITIAL_MIX)
    closed = "(t.ppo = 0 OR (t.b = 0 AND (t.mob >= t.term OR (t.mob >= 2 AND t.r2 < 120))))"
    left = "(t.term - t.mob + t.b)"
    sql = f"""
        INSERT INTO {table(LoanHistory)} (loan_id, business_date, dpd, bucket, classification,
            overdue_total, principal_outstanding, penalty_accrued)
        SELECT u.id, %(end)s, u.dpd, 'M' || CAST(u.b AS VARCHAR(1)),
            CASE WHEN u.dpd = 0 THEN 'normal' WHEN u.dpd < 91 THEN 'special_mention'
                 WHEN u.dpd < 271 THEN 'substandard' WHEN u.dpd < 361 THEN 'doubtful'
                 ELSE 'loss' END,
            u.overdue, u.po, u.overdue * u.dpd / 3000
        FROM (
            SELECT t.id, t.b,
                CASE WHEN t.b = 0 THEN 0 WHEN t.b < 7 THEN 30 * (t.b - 1) + 1 + t.r3 %% 28
                     WHEN t.pb = 7 THEN t.pdpd + %(days)s
                     WHEN t.pb IS NULL THEN 181 + t.r3 %% (t.mob * 30 - 209)
                     ELSE 181 + t.r3 %% 28 END AS dpd,
                CASE WHEN t.b = 0 THEN 0 ELSE t.principal * 105 * t.b / (100 * t.term)
                     END AS overdue,
                CASE WHEN {closed} THEN 0 WHEN {left} >= t.term THEN t.principal
                     WHEN {left} < 1 THEN t.principal / t.term
                     ELSE t.principal * {left} / t.term END AS po
            FROM (
                SELECT q.*,
                    CASE WHEN q.ppo = 0 THEN 0 WHEN q.pb IS NULL AND q.is_new = 1 THEN 0
                         WHEN q.pb IS NULL AND {initial} < q.mob THEN {initial}
                         WHEN q.pb IS NULL THEN 0
                         ELSE (CASE q.pb {transition} END) END AS b
                FROM (
                    SELECT l.id, l.principal, l.term_months AS term,
                        (%(end_day)s - {day_number("l.disbursed_on")}) / 30 AS mob,
                        {bucket_number("h.bucket")} AS pb, h.dpd AS pdpd,
                        h.principal_outstanding AS ppo,
                        CASE WHEN l.disbursed_on > %(previous)s THEN 1 ELSE 0 END AS is_new,
                        l.product_id %% 3 * 120 AS risk,
                        {rand(f"l.id * 16 + {month}", SALT_BUCKET)} AS r1,
                        {rand(f"l.id * 16 + {month}", SALT_CLOSE)} AS r2,
                        {rand(f"l.id * 16 + {month}", SALT_DPD)} AS r3
                    FROM {table(Loan)} l
                    LEFT JOIN {table(LoanHistory)} h
                        ON h.loan_id = l.id AND h.business_date = %(previous)s
                    WHERE l.creditor_id IN ({creditors_sql(portfolio)})
                        AND l.disbursed_on <= %(end)s
                ) q
            ) t
        ) u
    """
    params = {
        "end": end,
        "previous": previous,
        "end_day": end.toordinal(),
        "days": (end - previous).days,
    }
    return execute(sql, params)


def previous_end(month: int, portfolio: Portfolio) -> date:
    """The month end before month end ``month`` (stored or, for the first, not)."""
    if month:
        return portfolio.month_ends[month - 1]
    first = portfolio.month_ends[0]
    return date(first.year, first.month, 1) - timedelta(days=1)
