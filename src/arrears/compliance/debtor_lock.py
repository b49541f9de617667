"""One debtor judged at a time: the lock held from the gate's check to the contact's insert.

Fifty concurrent contact posts for one borrower made five conversations where the pack
allows three: each request read "two so far", then each inserted its own. Whoever checks a
contact against a party's caps and then records it takes this lock for the party first, in
the same transaction, and keeps it until that transaction ends.

PostgreSQL: a transaction-level advisory lock per party (released at commit or rollback,
also when the process dies). SQLite: write transactions begin ``IMMEDIATE`` (settings), so
the whole transaction already holds the database's single write lock from its first
statement; nothing more is needed, and nothing more is taken.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from arrears.core.errors import ArrearsError

# The advisory lock's first key: parties' locks have their own space, apart from the
# named locks of ``arrears.core.locks`` (one 64-bit key each).
_PARTY_SPACE = 0x4172  # "Ar"


def debtors_lock(party_ids: Iterable[int]) -> None:
    """Hold each party's gate lock until the current transaction ends.

    Call inside ``transaction.atomic()``, before reading the party's contacts for a check.
    Locks are taken in ascending id order, so two callers locking overlapping parties
    cannot deadlock.
    """
    ids = sorted({int(pk) for pk in party_ids})
    if not ids:
        return
    if not connection.in_atomic_block:
        raise ArrearsError("debtors_lock needs a transaction: call it inside atomic()")
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for pk in ids:
            # The two-int form takes int4 keys; ids beyond 2^31 share a lock with another
            # party, which costs a wait, never a wrong answer.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [_PARTY_SPACE, (pk % 2**31) or 0]
            )
