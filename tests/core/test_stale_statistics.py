"""PostgreSQL's planner statistics are refreshed by the cycle itself when a table changed
by more than a tenth (``core.bulk.refresh_stale_statistics``): the server may run without
autovacuum, and a following day planned on a cases table it believed empty. A bulk load
refreshes them as it goes, on a connection of its own (``BackgroundStatistics``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import ProgrammingError, connection, transaction

from arrears.core.bulk import BackgroundStatistics, refresh_stale_statistics

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def probe() -> Iterator[str]:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics; SQLite plans from its indexes")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE stats_probe (id integer PRIMARY KEY, v integer)")
    try:
        yield "stats_probe"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE stats_probe")


def _write(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _estimated_rows(name: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [name])
        return float(cursor.fetchone()[0])


def test_a_table_is_analysed_when_a_tenth_of_it_changed_and_not_before(probe: str) -> None:
    _write(f"INSERT INTO {probe} SELECT i, 0 FROM generate_series(1, 20000) AS i")
    assert _estimated_rows(probe) < 0, "never analysed: the planner knows nothing of it"

    assert refresh_stale_statistics([probe]) == [probe]
    assert _estimated_rows(probe) == 20000
    assert refresh_stale_statistics([probe]) == [], "nothing changed since"

    _write(f"UPDATE {probe} SET v = 1 WHERE id <= 1500")  # under a tenth
    assert refresh_stale_statistics([probe]) == []
    _write(f"DELETE FROM {probe} WHERE id > 10000")  # with the 1,500: over a tenth
    assert refresh_stale_statistics([probe]) == [probe]
    assert _estimated_rows(probe) == 10000


def test_a_small_table_is_left_to_the_planners_defaults(probe: str) -> None:
    _write(f"INSERT INTO {probe} SELECT i, 0 FROM generate_series(1, 500) AS i")
    assert refresh_stale_statistics([probe]) == []


def test_a_background_refresh_sees_what_was_committed_and_is_waited_for(probe: str) -> None:
    statistics = BackgroundStatistics([probe])
    _write(f"INSERT INTO {probe} SELECT i, 0 FROM generate_series(1, 3000) AS i")

    statistics.request()
    statistics.close()

    assert _estimated_rows(probe) == 3000


def test_a_background_refresh_within_a_transaction_is_made_there(probe: str) -> None:
    # Another connection would not see these rows: the refresh is made on this one.
    with transaction.atomic():
        _write(f"INSERT INTO {probe} SELECT i, 0 FROM generate_series(1, 700) AS i")
        statistics = BackgroundStatistics([probe])
        statistics.request()
        statistics.close()
        assert _estimated_rows(probe) == 700


def test_a_failed_background_refresh_is_raised(probe: str) -> None:
    statistics = BackgroundStatistics([probe, "no_such_table"])
    statistics.request()
    with pytest.raises(ProgrammingError, match="no_such_table"):
        statistics.close()
