"""Read-ahead batches, in a thread or a forked process: same batches in the same order,
failures surface, abandoning stops."""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
import select
import threading
from collections.abc import Iterator

import pytest

from arrears.core import prefetch
from arrears.core.prefetch import batches, forked_batches, prefetched_batches


def test_batches_come_in_order_and_whole() -> None:
    assert list(prefetched_batches(range(10), 4)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert list(prefetched_batches([], 4)) == []
    assert list(batches(range(12), 4, first=1)) == [[0], [1, 2], [3, 4, 5, 6], [7, 8, 9, 10], [11]]
    assert list(batches([], 4, first=1)) == []
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


# --- forked_batches: the same contract, produced in a child process -----------------------


def test_forked_batches_come_in_order_from_another_process() -> None:
    def rows() -> Iterator[tuple[int, int]]:
        for number in range(7):
            yield number, os.getpid()

    received = list(forked_batches(rows(), 3))

    assert [[number for number, _ in batch] for batch in received] == [[0, 1, 2], [3, 4, 5], [6]]
    # Produced by the child: a process of its own, so a core of its own.
    assert {pid for batch in received for _, pid in batch} == {received[0][0][1]}
    assert received[0][0][1] != os.getpid()
    assert not multiprocessing.active_children()
    assert list(forked_batches([], 4)) == []


def test_a_failure_in_the_child_reaches_the_parent_as_itself_after_the_good_batches() -> None:
    def rows() -> Iterator[int]:
        yield from range(6)
        raise ValueError("row 7 is unreadable")

    received = []
    with pytest.raises(ValueError, match="row 7 is unreadable") as raised:
        for batch in forked_batches(rows(), 3):
            received.append(batch)

    assert received == [[0, 1, 2], [3, 4, 5]]
    # Where it was raised in the child is kept, for the log.
    assert "raise ValueError" in "".join(raised.value.__notes__)
    assert not multiprocessing.active_children()


class _Unportable(Exception):
    def __init__(self, line: int, why: str) -> None:  # unpickling calls it with one argument
        super().__init__(f"line {line}: {why}")


def test_an_exception_that_cannot_cross_arrives_as_a_runtime_error_with_its_words() -> None:
    def rows() -> Iterator[int]:
        yield 1
        raise _Unportable(9, "a cell is torn")

    with pytest.raises(RuntimeError, match="_Unportable: line 9: a cell is torn"):
        list(forked_batches(rows(), 1))


def test_a_child_that_dies_is_reported_not_waited_for() -> None:
    def rows() -> Iterator[int]:
        yield 1
        os._exit(3)  # as a kill would end it: no word sent

    with pytest.raises(ChildProcessError, match="ended early"):
        list(forked_batches(rows(), 1))


def test_a_child_that_cannot_send_ends_and_is_reported_not_waited_for() -> None:
    def refuse(*_: object) -> None:
        raise ValueError("cannot send")

    def rows() -> Iterator[int]:
        # In the child only: every send fails, while the batches fill its queue.
        multiprocessing.connection.Connection.send_bytes = refuse  # type: ignore[method-assign,assignment]
        yield from range(10)

    # Read in a thread, so that a parent left waiting fails the test instead of hanging it.
    raised: list[BaseException] = []

    def read() -> None:
        try:
            list(forked_batches(rows(), 1))
        except BaseException as error:
            raised.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=60)
    assert not reader.is_alive(), "the parent still waits for a child that cannot send"
    assert isinstance(raised[0], ChildProcessError), raised
    assert "exit code 1" in str(raised[0])


def test_abandoning_the_forked_batches_ends_the_child() -> None:
    def endless() -> Iterator[int]:
        number = 0
        while True:
            yield number
            number += 1

    stream = forked_batches(endless(), 10)
    assert next(stream) == list(range(10))
    stream.close()

    assert not multiprocessing.active_children()


def test_the_child_works_ahead_while_the_parent_holds_a_batch() -> None:
    # The child says on a pipe of its own when it has read each row; the parent, holding
    # the first batch, sees it read the rows of the next batches without asking. Each row
    # is larger than a pipe's buffer, so a child that only sent (and did not queue) would
    # stop at the second row.
    read_end, write_end = os.pipe()

    def rows() -> Iterator[tuple[int, bytes]]:
        for number in range(10):
            yield number, bytes(100_000)
            os.write(write_end, bytes([number]))

    stream = forked_batches(rows(), 1)
    assert next(stream)[0][0] == 0
    ahead = prefetch.SENT_AHEAD + 1  # queued, plus the one being written to the pipe
    seen = b""
    while len(seen) <= ahead:
        ready, _, _ = select.select([read_end], [], [], 30)
        assert ready, f"the child read only rows {list(seen)} while the parent held one"
        seen += os.read(read_end, 1)
    assert list(seen[: ahead + 1]) == list(range(ahead + 1))
    assert [batch[0][0] for batch in stream] == list(range(1, 10))
    os.close(read_end)
    os.close(write_end)


def test_receiving_leaves_the_garbage_collector_as_it_was() -> None:
    assert gc.isenabled()
    assert list(forked_batches(range(3), 2)) == [[0, 1], [2]]
    assert gc.isenabled()


def test_forked_batches_read_in_a_thread_where_fork_is_not_available(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(prefetch, "can_fork", lambda: False)

    def rows() -> Iterator[int]:
        for number in range(4):
            yield number
            assert os.getpid() == parent  # in this process

    parent = os.getpid()
    assert list(forked_batches(rows(), 3)) == [[0, 1, 2], [3]]
