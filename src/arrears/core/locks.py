"""Named locks that the database server or the kernel releases when their holder dies.

PostgreSQL: session advisory locks keyed by a hash of the name, so processes on other
machines sharing the database see them. SQLite (one machine): an exclusive ``flock`` on a
file per name under the data directory. Used for "one cycle at a time" and for each
outreach worker's liveness, so a killed process never leaves a lock behind.
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


class LockBusy(ArrearsError):
    """Another process holds the lock."""


def lock_key(name: str) -> int:
    """The signed 64-bit advisory-lock key of ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _database_scope() -> str:
    # Lock files of different databases (test databases too) must not collide.
    return hashlib.sha256(str(connection.settings_dict["NAME"]).encode()).hexdigest()[:16]


def lock_path(name: str) -> Path:
    """The lock file of ``name`` for the current database."""
    folder = Path(settings.DATA_DIR) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return folder / f"{safe}-{_database_scope()}.lock"


class NamedLock:
    """A lock held by this process until ``release`` (or its death)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._file: IO[str] | None = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_key(self.name)])
                return bool(cursor.fetchone()[0])
        handle = lock_path(self.name).open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._file = handle
        return True

    def release(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_key(self.name)])
        elif self._file is not None:
            self._file.close()
            self._file = None

    def holder(self) -> str:
        """Who holds the lock, when a lock file says (SQLite); otherwise a generic phrase."""
        if connection.vendor != "postgresql":
            path = lock_path(self.name)
            if path.exists():
                return path.read_text().strip() or "another process"
        return "another process"


def lock_is_held(name: str) -> bool:
    """Whether some live process holds the lock ``name`` (a probe that holds nothing)."""
    probe = NamedLock(name)
    if not probe.try_acquire():
        return True
    probe.release()
    return False


@contextmanager
def lock_held(name: str, busy: str) -> Iterator[None]:
    """Hold ``name`` for the duration, or raise ``LockBusy(busy)`` at once."""
    lock = NamedLock(name)
    if not lock.try_acquire():
        raise LockBusy(f"{busy} ({lock.holder()})" if connection.vendor != "postgresql" else busy)
    try:
        yield
    finally:
        lock.release()
