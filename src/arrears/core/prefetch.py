"""Read ahead: produce batches of an iterable in a background thread or a forked process.

A tape import alternates between CPU work (parsing and validating rows) and writing (COPY,
index maintenance, foreign-key checks at commit). With the next batch validated while the
current one is written, the two overlap. In a thread they overlap only while the writer
waits for the database: Python's own work on both sides takes turns under one interpreter
lock. In a forked process (``forked_batches``) the reading side has a core of its own.
Pure module: the producing iterable must not touch the database, because Django
connections belong to the thread (and process) that opened them.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from itertools import islice
from multiprocessing.reduction import ForkingPickler
from traceback import format_exception
from typing import Any, TypeVar

T = TypeVar("T")

_DONE = object()


class _Failure:
    """Carries an exception from the producer thread to the consumer."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def batches(items: Iterable[T], size: int, *, first: int | None = None) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items; with ``first``, the first of at most
    ``first`` and each next one up to twice the one before, until ``size``."""
    iterator = iter(items)
    step = min(first or size, size)
    while batch := list(islice(iterator, step)):
        yield batch
        step = min(2 * step, size)


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


def can_fork() -> bool:
    """Whether ``forked_batches`` forks here: on Linux only (fork is unsafe on macOS and
    absent on Windows)."""
    return sys.platform == "linux"


def forked_batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``batches(items, size)``, computed ahead in a forked child process.

    The child inherits ``items`` as they are at the call (an open file, a generator) and
    sends each batch pickled through a pipe; it makes the next ones (up to ``SENT_AHEAD``
    and the one in the pipe) while this process works on the one received. Use it only
    from a process with no other thread that may hold a lock the child needs (a
    command-line process, not a threaded server); elsewhere, and where ``can_fork()`` is
    false, it is ``prefetched_batches``. The child never closes what it inherited (a
    database connection, files): it ends with ``os._exit``. Failures while producing are
    re-raised here, as with ``prefetched_batches``; abandoning the generator ends the
    child.
    """
    if not can_fork():
        yield from prefetched_batches(items, size)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_send_batches, args=(items, size, sender), name="prefetch", daemon=True
    )
    child.start()
    sender.close()  # this end belongs to the child: EOF here once it is gone
    try:
        while True:
            try:
                kind, payload = _unpickled(receiver)
            except EOFError:
                # Killed (out of memory, a signal) before it could say why. An OSError, so
                # a command reports it as a stopped import that is safe to run again.
                child.join()
                raise ChildProcessError(
                    f"the reading process ended early (exit code {child.exitcode})"
                ) from None
            if kind == _BATCH:
                yield payload
            elif kind == _END:
                return
            else:
                raise payload
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join()


_BATCH, _END, _ERROR = "batch", "end", "error"
# Batches a forked child may hold made and pickled while the parent has not yet read them.
SENT_AHEAD = 2


def _unpickled(receiver: Any) -> tuple[str, Any]:
    """The next message. Unpickling a batch makes hundreds of thousands of objects and
    no reference cycle; with the collector running it would walk this process's whole
    heap several times over (measured: 1.6 s instead of 0.5 s for 20,000 loan rows)."""
    receiver.poll(None)  # waiting for the child, with the collector as it was
    enabled = gc.isenabled()
    gc.disable()
    try:
        return receiver.recv()
    finally:
        if enabled:
            gc.enable()


def _send_batches(items: Iterable[object], size: int, sender: Any) -> None:
    """The child's side of ``forked_batches``: batches are made here and handed, pickled,
    to a writing thread that sends them, so the next ones are made while the parent still
    reads one (up to ``SENT_AHEAD`` waiting): a stall of the parent (a commit, an
    ``ANALYZE``) is time the child uses rather than waits through."""
    # Ctrl-C reaches the whole process group: the parent handles it and ends the child.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The inherited heap is never garbage here: kept out of the collector, its pages are
    # not walked (nor copied on write) each time the batches' new objects trigger it.
    gc.freeze()
    outgoing: queue.Queue[bytes | None] = queue.Queue(maxsize=SENT_AHEAD)
    writer = threading.Thread(target=_write_out, args=(outgoing, sender), daemon=True)
    writer.start()
    try:
        for batch in batches(items, size):
            outgoing.put(_dumps((_BATCH, batch)))
        outgoing.put(_dumps((_END, None)))
    except BaseException as error:
        error.add_note("raised in the reading process:\n" + "".join(format_exception(error)))
        outgoing.put(_dumps((_ERROR, _portable(error))))
    finally:
        outgoing.put(None)
        writer.join()
        sender.close()
        # Ended here, not by multiprocessing's epilogue: that flushes the inherited standard
        # streams, whose locks another thread of the parent (a progress bar's monitor) may
        # have held at the fork, and no thread of the child would ever release them.
        os._exit(0)


def _dumps(message: tuple[str, object]) -> bytes:
    """A message as ``Connection.recv`` unpickles it (what ``Connection.send`` writes)."""
    return bytes(ForkingPickler.dumps(message))


def _write_out(outgoing: queue.Queue[bytes | None], sender: Any) -> None:
    """The child's writing thread: sends each pickled message until told to stop."""
    try:
        while (message := outgoing.get()) is not None:
            sender.send_bytes(message)
    except OSError:  # the parent stopped listening (a broken pipe): nothing to tell it
        os._exit(0)
    except BaseException:
        # Anything else would leave the child's main thread blocked on a full queue and the
        # parent waiting for ever: the child ends, and the parent reports it ended early.
        os._exit(1)


def _portable(error: BaseException) -> BaseException:
    """``error`` if it survives pickling as itself, else a RuntimeError with its words."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
