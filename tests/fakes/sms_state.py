"""What the fake SMS gateway remembers: accepted messages, their counts per key, used
signature nonces and the failures queued for the next requests.

One ``GatewayState`` is shared by every server thread, so each change happens under its
lock. The protocol modules (``sms_aliyun``, ``sms_generic``) read and write it; the HTTP
server (``sms_http``) takes the queued failures.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

FailureMode = Literal["unavailable", "throttle", "drop", "hang"]
"""``unavailable``: HTTP 503. ``throttle``: Aliyun isv.BUSINESS_LIMIT_CONTROL (or ``code``),
generic HTTP 429. ``drop``: process the request, then close the connection without a reply.
``hang``: process it, then hold the connection until released or stopped."""

TIMESTAMP_WINDOW = 15 * 60  # seconds either side of the server clock Aliyun accepts


@dataclass(frozen=True)
class RecordedMessage:
    """One message the fake accepted."""

    gateway: Literal["aliyun", "generic"]
    key: str
    phone: str
    provider_id: str  # BizId (shared by a batch) or the generic provider id
    received_at: float  # epoch seconds
    text: str = ""  # generic only; Aliyun receives a template, not text
    sign_name: str = ""
    template_code: str = ""
    template_params: dict[str, str] = field(default_factory=dict)
    out_id: str = ""
    action: str = ""


class GatewayState:
    """The credentials the fake accepts and everything it recorded, safe across threads."""

    def __init__(
        self,
        *,
        access_key_id: str = "fake-access-key-id",
        access_key_secret: str = "fake-access-key-secret",
        token: str = "fake-token",
        dedupe: bool = False,
        hang_seconds: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.token = token
        self.dedupe = dedupe
        self.hang_seconds = hang_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._messages: list[RecordedMessage] = []
        self._counts: dict[str, int] = {}
        self._nonces: dict[str, float] = {}
        self._faults: list[tuple[FailureMode, str]] = []
        self._release = threading.Event()
        self._ids = itertools.count(1)
        self._reported = 0
        self.request_count = 0

    # -- what a test reads ------------------------------------------------------------------

    def messages(self) -> list[RecordedMessage]:
        """Every accepted message, in arrival order (duplicates left out when ``dedupe``)."""
        with self._lock:
            return list(self._messages)

    def counts(self) -> dict[str, int]:
        """How many times each key was accepted, duplicates included."""
        with self._lock:
            return dict(self._counts)

    def duplicates(self) -> dict[str, int]:
        """The keys accepted more than once, with their counts."""
        with self._lock:
            return {key: n for key, n in self._counts.items() if n > 1}

    def snapshot(self) -> dict[str, Any]:
        """What ``GET /_messages`` answers."""
        with self._lock:
            return {
                "messages": [asdict(m) for m in self._messages],
                "counts": dict(self._counts),
                "duplicates": {key: n for key, n in self._counts.items() if n > 1},
                "requests": self.request_count,
            }

    # -- what a test controls ---------------------------------------------------------------

    def reset(self) -> None:
        """Forget messages, counts, nonces and pending faults; release hung requests."""
        with self._lock:
            self._messages.clear()
            self._counts.clear()
            self._nonces.clear()
            self._faults.clear()
            self._reported = 0
            self.request_count = 0
        self.release_hung()

    def fail_next(self, n: int, mode: FailureMode, *, code: str = "") -> None:
        """Make the next ``n`` gateway requests fail in ``mode`` (``code``: Aliyun throttle
        code, default isv.BUSINESS_LIMIT_CONTROL)."""
        if mode not in get_args(FailureMode):
            raise ValueError(f"unknown failure mode {mode!r}")
        with self._lock:
            self._faults.extend([(mode, code)] * n)

    def release_hung(self) -> None:
        """Let requests held by ``hang`` finish (their connections are then closed)."""
        with self._lock:
            released, self._release = self._release, threading.Event()
        released.set()

    # -- what the protocols and the server use (from server threads) ------------------------

    def now(self) -> float:
        """The fake's clock, in epoch seconds (a test may give its own)."""
        return self._clock()

    def next_id(self) -> int:
        """A number no other accepted request got: BizIds and generic ids share it."""
        with self._lock:
            return next(self._ids)

    def take_fault(self) -> tuple[FailureMode, str, threading.Event] | None:
        """Count a gateway request and hand it the next queued failure, if any, with the
        event that releases it when it hangs."""
        with self._lock:
            self.request_count += 1
            if not self._faults:
                return None
            mode, code = self._faults.pop(0)
            return mode, code, self._release

    def record(self, batch: list[RecordedMessage]) -> None:
        """Accept ``batch``: count every key, keep a repeated key only without ``dedupe``."""
        with self._lock:
            for message in batch:
                seen = self._counts.get(message.key, 0)
                self._counts[message.key] = seen + 1
                if not (self.dedupe and seen):
                    self._messages.append(message)

    def use_nonce(self, nonce: str, now: float) -> bool:
        """Whether ``nonce`` is new (and now used); Aliyun refuses a replayed one."""
        with self._lock:
            if nonce in self._nonces:
                return False
            self._nonces[nonce] = now
            if len(self._nonces) % 4096 == 0:
                # A nonce older than the Timestamp window cannot be replayed anyway.
                horizon = now - 2 * TIMESTAMP_WINDOW
                self._nonces = {k: t for k, t in self._nonces.items() if t >= horizon}
            return True

    def by_key(self, key: str) -> list[RecordedMessage]:
        """The accepted messages of ``key`` (what a status query finds)."""
        with self._lock:
            return [m for m in self._messages if m.key == key]

    def aliyun_records(self, phone: str) -> list[tuple[RecordedMessage, bool]]:
        """The Aliyun messages to ``phone``, each with whether its report was pushed."""
        with self._lock:
            return [
                (m, index < self._reported)
                for index, m in enumerate(self._messages)
                if m.gateway == "aliyun" and m.phone == phone
            ]

    def unreported_aliyun(self) -> tuple[list[RecordedMessage], int]:
        """The Aliyun messages no delivery report was pushed for yet, and the mark to pass
        to ``mark_reported`` once their reports were accepted."""
        with self._lock:
            pending = [m for m in self._messages[self._reported :] if m.gateway == "aliyun"]
            return pending, len(self._messages)

    def mark_reported(self, upto: int) -> None:
        """Remember that the messages before ``upto`` were reported."""
        with self._lock:
            self._reported = max(self._reported, upto)
