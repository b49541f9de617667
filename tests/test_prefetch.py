"""Read-ahead batches: same batches in the same order, failures surface, abandoning stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from arrears.core.prefetch import batches, prefetched_batches


def test_batches_come_in_order_and_whole() -> None:
    assert list(prefetched_batches(range(10), 4)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert list(prefetched_batches([], 4)) == []
    assert list(batches(range(5), 5)) == [[0, 1, 2, 3, 4]]


def test_a_failure_while_producing_reaches_the_consumer_after_the_good_batches() -> None:
    def rows() -> Iterator[int]:
        yield from range(6)
        raise ValueError("row 7 is unreadable")

    received = []
    with pytest.raises(ValueError, match="row 7 is unreadable"):
        for batch in prefetched_batches(rows(), 3):
            received.append(batch)

    assert received == [[0, 1, 2], [3, 4, 5]]


def test_abandoning_the_batches_stops_the_producer() -> None:
    produced = []

    def endless() -> Iterator[int]:
        number = 0
        while True:
            produced.append(number)
            yield number
            number += 1

    stream = prefetched_batches(endless(), 10, depth=2)
    assert next(stream) == list(range(10))
    stream.close()

    assert not any(t.name == "prefetch" and t.is_alive() for t in threading.enumerate())
    # At most the batch handed over, the queue's two and one in the making were produced.
    assert len(produced) <= 40
