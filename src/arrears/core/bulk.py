"""Fast bulk insertion: COPY on PostgreSQL, ``executemany`` on SQLite.

The ORM's ``bulk_create`` builds a Python object and compiles SQL per row; for the millions
of installment and allocation rows of a portfolio that costs several times the insert
itself. Callers pass plain tuples in column order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` into ``table`` and return how many were written.

    Runs inside the caller's transaction. Values must already be database-ready (ints,
    strs, dates, Decimals, None).
    """
    quoted_table = connection.ops.quote_name(table)
    quoted_columns = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {quoted_table} ({quoted_columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {quoted_table} ({quoted_columns}) VALUES ({placeholders})"
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 10_000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def reserve_ids(table: str, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table``, to insert rows with known ids.

    Saves reading ids back after a bulk insert. PostgreSQL draws them from the identity
    sequence (safe under concurrency); SQLite takes them above the table's high-water mark,
    which is safe because the caller is inside a write transaction (``BEGIN IMMEDIATE``),
    so no other writer can take the same ids.
    """
    if count <= 0:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("reserve_ids must run inside transaction.atomic()")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {quoted}), 0),"
            " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        (high,) = cursor.fetchone()
    return list(range(high + 1, high + 1 + count))


def refresh_statistics(tables: Sequence[str]) -> None:
    """Let PostgreSQL's planner see how big ``tables`` have grown (``ANALYZE``).

    During a bulk load the statistics still describe the tables as empty, and the planner
    then turns the import's own ``IN (…)`` lookups into scans of everything loaded so far,
    which makes a large import quadratic. SQLite needs nothing: it plans from its indexes.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


class BackgroundStatistics:
    """``refresh_statistics(tables)`` on a connection of its own, in a background thread,
    so a bulk load goes on writing while PostgreSQL samples what it has committed (an
    ``ANALYZE`` takes no lock a writer waits for). ``request`` starts a refresh unless one
    is still running (the next request asks again); ``close`` waits for the last one and
    raises its error, if it failed. Within a transaction (the caller's), where another
    connection would not see the rows, it refreshes here and now, as
    ``refresh_statistics``. SQLite: nothing (it plans from its indexes).

    Measured on a 100,000-loan import: five rounds over its five tables were 1.3 s of its
    19.5 s, spent while the import waited.
    """

    def __init__(self, tables: Sequence[str]) -> None:
        self._tables = list(tables)
        self._running: Future[None] | None = None
        self._pool = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="analyze")
            if connection.vendor == "postgresql"
            else None
        )

    def request(self) -> None:
        if self._pool is None or (self._running is not None and not self._running.done()):
            return
        if connection.in_atomic_block:
            refresh_statistics(self._tables)
            return
        if self._running is not None:
            self._running.result()  # a failed refresh is raised, not forgotten
        self._running = self._pool.submit(self._refresh)

    def _refresh(self) -> None:
        try:
            refresh_statistics(self._tables)
        finally:
            connection.close()  # this thread's own connection

    def close(self) -> None:
        if self._pool is None:
            return
        try:
            if self._running is not None:
                self._running.result()
        finally:
            self._pool.shutdown()


def refresh_stale_statistics(
    tables: Sequence[str], *, share: float = 0.1, floor: int = 1_000
) -> list[str]:
    """``ANALYZE`` those of ``tables`` that changed a lot since their statistics were taken:
    never analysed and holding more than ``floor`` rows, or more than ``share`` of their rows
    (and ``floor``) inserted, updated or deleted since. The tables analysed, in order.

    Autovacuum's own rule, applied at a moment of our choosing: a server may run with
    autovacuum off (this development machine does), and even with it on it comes a minute
    later, after the next step planned its joins on a table it believes empty. The counters
    are PostgreSQL's cumulative statistics; what they have not counted yet is counted next
    time. SQLite: nothing (it plans from its indexes).
    """
    if connection.vendor != "postgresql" or not tables:
        return []
    with connection.cursor() as cursor:
        if not connection.in_atomic_block and getattr(connection, "pg_version", 0) >= 150000:
            # This backend's own last writes are counted once it goes idle between the two
            # statements (PostgreSQL 15+); other backends' are, at the latest, a second on.
            cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT relname, n_live_tup, n_mod_since_analyze,"
            " last_analyze IS NULL AND last_autoanalyze IS NULL"
            " FROM pg_stat_user_tables WHERE schemaname = current_schema()"
            " AND relname = ANY(%s)",
            [list(tables)],
        )
        stale = {
            name
            for name, live, changed, never in cursor.fetchall()
            if (never and live + changed > floor) or changed > max(floor, share * live)
        }
    analysed = [name for name in tables if name in stale]
    refresh_statistics(analysed)
    return analysed


def chunked(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    """Slices of ``items`` of at most ``size``: keeps ``IN (…)`` lists under SQLite's limits."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
