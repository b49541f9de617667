"""Read ahead: produce batches of an iterable in a background thread.

A tape import alternates between CPU work (parsing and validating rows) and waiting for
the database (COPY, index maintenance, foreign-key checks at commit). With the next batch
validated in a thread while the database works on the current one, the two overlap on a
second core. Pure module: the producing iterable must not touch the database, because
Django connections belong to the thread that opened them.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failure:
    """Carries an exception from the producer thread to the consumer."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def prefetched_batches(items: Iterable[T], size: int, *, depth: int = 2) -> Iterator[list[T]]:
    """``batches(items, size)``, computed up to ``depth`` batches ahead in a thread.

    Exceptions raised while producing are re-raised in the consumer at the point the
    failing batch would have arrived; abandoning the generator stops the producer.
    """
    channel: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches(items, size):
                channel.put(batch)
                if stop.is_set():
                    return
            channel.put(_DONE)
        except BaseException as error:
            channel.put(_Failure(error))

    worker = threading.Thread(target=produce, name="prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = channel.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        # Unblock a producer waiting on a full queue so it can see ``stop`` and end.
        while worker.is_alive():
            try:
                channel.get(timeout=1)
            except queue.Empty:
                continue
        worker.join()
