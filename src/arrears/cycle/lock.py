"""One cycle per database at a time (``core.locks``: released when the holder dies)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from arrears.core.locks import lock_held

CYCLE_LOCK = "arrears-cycle"


@contextmanager
def cycle_lock() -> Iterator[None]:
    """Hold the cycle lock for the duration, or raise ``LockBusy`` at once."""
    with lock_held(
        CYCLE_LOCK,
        "another cycle is running on this database; wait for it to finish"
        " (see `arrears cycle --status`)",
    ):
        yield
