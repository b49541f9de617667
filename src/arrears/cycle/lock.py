"""One cycle per database at a time.

PostgreSQL: a session advisory lock, released by the server when the holder's connection
ends, so a killed cycle never leaves it behind. SQLite: an exclusive ``flock`` on a file
beside the database, released by the kernel when the process dies.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import connection

from arrears.core.errors import ArrearsError

# An arbitrary constant naming "the daily cycle" among advisory locks.
_ADVISORY_KEY = 0x41525245  # "ARRE"


class CycleBusy(ArrearsError):
    """Another cycle holds the lock."""


def _lock_path() -> Path:
    """A lock file per database, in the data directory (in-memory test databases too)."""
    name = str(connection.settings_dict["NAME"])
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    directory = Path(settings.DATA_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"cycle-{digest}.lock"


@contextmanager
def cycle_lock() -> Iterator[None]:
    """Hold the cycle lock for the duration, or raise ``CycleBusy`` at once."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_ADVISORY_KEY])
            (acquired,) = cursor.fetchone()
        if not acquired:
            raise CycleBusy(
                "another cycle is running on this database; wait for it to finish"
                " (see `arrears cycle --status`)"
            )
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_ADVISORY_KEY])
        return
    path = _lock_path()
    handle: IO[str] = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise CycleBusy(
                f"another cycle is running on this database ({holder}); wait for it to finish"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()
