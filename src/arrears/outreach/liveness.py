"""Workers' liveness, and what a worker that stopped left in its hands.

Each worker holds a liveness lock while it runs (``core.locks``: a PostgreSQL advisory
lock, or a lock file on SQLite). Any worker that finds messages of a worker whose lock is
free puts them right: ``claimed`` ones were never handed to a provider (a message is marked
``sending`` in its own committed transaction before its request), so they go back to the
queue; ``sending`` ones were in the request in flight, so they become ``unknown`` — never
sent again on a guess (``resolving`` asks the provider what became of them).
"""

from __future__ import annotations

import os
import socket
import uuid

from django.db.models import Q
from django.utils import timezone

from arrears.core.locks import LockBusy, NamedLock, lock_is_held
from arrears.outreach.models import OutboxMessage


class Liveness:
    """This worker's liveness lock (``core.locks``), and the test of another worker's: a
    worker whose lock is free has stopped."""

    def __init__(self) -> None:
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lock = NamedLock(f"outreach-worker-{self.name}")

    def hold(self) -> None:
        if not self._lock.try_acquire():
            raise LockBusy(f"worker name {self.name} is taken")

    def release(self) -> None:
        self._lock.release()

    def is_alive(self, name: str) -> bool:
        return name == self.name or lock_is_held(f"outreach-worker-{name}")


def recover(liveness: Liveness) -> int:
    """Put right the messages of workers that are gone: their ``claimed`` messages back in
    the queue, their ``sending`` ones ``unknown``. Returns how many became unknown."""
    names = set(
        OutboxMessage.objects.filter(status__in=["claimed", "sending"]).values_list(
            "claimed_by", flat=True
        )
    )
    marked = 0
    for name in sorted(names):
        if liveness.is_alive(name):
            continue
        now = timezone.now()
        marked += OutboxMessage.objects.filter(status="sending", claimed_by=name).update(
            status="unknown",
            error=f"worker {name} stopped while sending: not sent again unless the provider's"
            " records (or a person) show it never arrived",
            updated_at=now,
        )
        # Never handed to a provider: safe to take again, as it was.
        OutboxMessage.objects.filter(Q(status="claimed") & Q(claimed_by=name)).update(
            status="queued", claimed_by="", updated_at=now
        )
    return marked
