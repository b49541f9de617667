"""The ledger's side of an assignment of debts (债权转让): loans change creditor from a date.

The loan rows stay the same rows, so everything attached to them (schedule, payments,
allocations, positions, history, cases, contacts) stays attached: only ``creditor`` changes,
and ``assigned_from`` / ``assigned_on`` say where it came from and since when. The caller
(the transfers app, which keeps the record of each assignment) names the loans by a query
of its own; this module writes only the loan table, in one statement however many loans.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from arrears.core.sql import execute, table
from arrears.portfolio.models import Loan


def loans_assign(*, source: str, params: dict[str, Any], to_creditor_id: int, on: date) -> int:
    """Move the loans whose primary keys ``source`` selects (a one-column SELECT run with
    ``params``) to creditor ``to_creditor_id`` from business date ``on``; loans moved.

    Call inside the caller's transaction, after checking the loans may move (none of them
    already of that creditor, no loan id the new creditor already has: the unique
    ``(creditor, loan_id)`` constraint would refuse the whole statement). The creditor a
    loan leaves becomes its ``assigned_from``, so that creditor's payment tape still finds
    it (``payments_ingest``: art. 546, a debtor not yet notified may pay the old creditor).
    """
    loan = table(Loan)
    return execute(
        f"""
        UPDATE {loan} SET assigned_from_id = creditor_id, creditor_id = %(assign_to)s,
            assigned_on = %(assign_on)s, updated_at = CURRENT_TIMESTAMP
        WHERE id IN ({source}) AND creditor_id <> %(assign_to)s
        """,
        {**params, "assign_to": to_creditor_id, "assign_on": on},
    )
