"""The contact journal written in bulk: contacts made by machines (the outreach worker's
sent messages), so the gate's caps and quiet hours count them like any call.

One statement for a batch; the rows are facts (append-only), never updated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from arrears.compliance.models import ContactAttempt
from arrears.core.bulk import bulk_insert
from arrears.core.fields import seal


class AttemptRow(NamedTuple):
    """One contact made: with whom (loan, party, role), how, to which number or address,
    and its outcome."""

    loan_id: int
    party_id: int
    role: str
    channel: str
    number: str
    outcome: str


def contact_attempts_record(rows: Sequence[AttemptRow], *, at: Any, by: str) -> int:
    """Append ``rows`` to the contact journal, all made at ``at`` (a value the database
    adapter accepts) by ``by``; returns how many."""
    # The number is encrypted at rest; a bulk insert bypasses the field, so it is sealed here.
    bulk_insert(
        ContactAttempt._meta.db_table,
        ["loan_id", "party_id", "role", "channel", "number", "at", "outcome", "by", "created_at"],
        (
            (r.loan_id, r.party_id, r.role, r.channel, seal(ContactAttempt, "number", r.number),
             at, r.outcome, by, at)
            for r in rows
        ),
    )  # fmt: skip
    return len(rows)
