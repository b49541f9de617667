"""The tables the cycle rewrites daily keep a fifth of each page free on PostgreSQL, so an
overdue loan's daily position, accrual and case DPD updates stay in their page (heap-only
tuples) instead of moving with new entries in every index (``core.fillfactor``)."""

from __future__ import annotations

import pytest
from django.db import connection

from arrears.core.fillfactor import CYCLE_FILLFACTOR

pytestmark = pytest.mark.django_db

DAILY_REWRITTEN = ("cycle_loanposition", "cycle_installmentposition", "cases_collectioncase")


def test_the_daily_rewritten_tables_leave_room_for_their_updates() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage parameter; SQLite pages have no fillfactor")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
            [list(DAILY_REWRITTEN)],
        )
        options = dict(cursor.fetchall())
    assert options == {name: [f"fillfactor={CYCLE_FILLFACTOR}"] for name in DAILY_REWRITTEN}
