"""Which open cases cannot be reached: every phone and address of the borrower found
invalid (``CollectionCase.unreachable_since``), set-based.

A case is unreachable when its borrower has at least one phone or address on file and
every one of them is invalid; it stops being unreachable as soon as one is valid or not yet
checked (a newly found number, say). ``unreachable_since`` keeps the first day it was found
so, and the skip-trace queue lists those cases oldest first. Emails do not count: nobody is
visited or phoned at an email address.

Two statements whatever the portfolio's size: one marks, one clears. The daily cycle may run
``unreachable_refresh`` over a partition (it also catches points a call found wrong); skip
tracing runs it for the loans of the one party it changed.
"""

from __future__ import annotations

from datetime import date

from arrears.cases.models import CollectionCase
from arrears.core.sql import execute, table
from arrears.portfolio.models import ContactPoint, LoanParty

# The borrower's phones and addresses on the loan of the case row ``outer``;
# ``{status}`` narrows them.
_POINTS = """SELECT 1 FROM {loan_party} AS lp JOIN {point} AS cp ON cp.party_id = lp.party_id
    WHERE lp.loan_id = {outer}.loan_id AND lp.role = 'borrower'
      AND cp.kind IN ('phone', 'address'){status}"""


def _statements(loans: str) -> tuple[str, str]:
    """The mark and clear statements over the open cases whose loan matches ``loans``, a
    condition on ``{loan}`` (the loan-id column it is put on)."""
    case, point, loan_party = table(CollectionCase), table(ContactPoint), table(LoanParty)
    names = {"loan_party": loan_party, "point": point, "outer": case}
    any_point = _POINTS.format(**names, status="")
    usable = _POINTS.format(**names, status=" AND cp.status <> 'invalid'")
    # Every point invalid and at least one on file means one invalid point at least: the
    # candidates are the open cases of borrowers with one, found from the partial index of
    # invalid points in the order written (CROSS JOIN: SQLite keeps it; without statistics
    # it read every open case of the book by its status index, once per partition).
    candidates = f"""SELECT c.id FROM {point} AS cp
        CROSS JOIN {loan_party} AS lp CROSS JOIN {case} AS c
        WHERE cp.status = 'invalid' AND cp.kind IN ('phone', 'address')
          AND lp.party_id = cp.party_id AND lp.role = 'borrower'
          AND c.loan_id = lp.loan_id AND c.status = 'open' AND c.unreachable_since IS NULL
          AND {loans.format(loan="c.loan_id")}"""
    mark = f"""UPDATE {case} SET unreachable_since = %(on)s, updated_at = CURRENT_TIMESTAMP
        WHERE id IN ({candidates})
          AND EXISTS ({any_point})
          AND NOT EXISTS ({usable})"""
    clear = f"""UPDATE {case} SET unreachable_since = NULL, updated_at = CURRENT_TIMESTAMP
        WHERE unreachable_since IS NOT NULL AND {loans.format(loan="loan_id")}
          AND (status <> 'open'
               OR NOT EXISTS ({any_point})
               OR EXISTS ({usable}))"""
    return mark, clear


def unreachable_refresh(*, first: int, last: int, on: date) -> int:
    """Mark and clear the unreachable flag on the cases of loans ``first``–``last`` as of
    business date ``on`` (a cycle step's shape); returns the cases changed."""
    mark, clear = _statements("{loan} BETWEEN %(first)s AND %(last)s")
    params = {"first": first, "last": last, "on": on}
    return execute(mark, params) + execute(clear, params)


def unreachable_refresh_for_party(*, party_id: int, on: date) -> tuple[int, int]:
    """The same for the cases of the loans on which ``party_id`` is the borrower."""
    loans = (
        f"{{loan}} IN (SELECT b.loan_id FROM {table(LoanParty)} AS b"
        " WHERE b.party_id = %(party)s AND b.role = 'borrower')"
    )
    mark, clear = _statements(loans)
    params = {"party": party_id, "on": on}
    return execute(mark, params), execute(clear, params)
