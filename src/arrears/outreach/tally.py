"""What became of the messages a worker took: the counts behind its one-line summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SendTally:
    """What became of the messages a worker took, for its one-line summary.

    ``sent``, ``failed`` (for good, the reason on the message: ``arrears outbox --failed``),
    ``retrying`` (a transient failure, queued again with backoff), ``unknown`` (for a person
    or the provider's status query), ``deferred`` (outside the contact window now, queued
    for the next allowed moment; by the gate's reason code), ``blocked`` (a hold or opt-out
    since planning), ``cancelled`` (the case's playbook is paused, or nothing is on file to
    send to any more).
    """

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    unknown: int = 0
    blocked: int = 0
    cancelled: int = 0
    deferred: Counter[str] = field(default_factory=Counter)

    def add(self, counts: dict[str, int]) -> None:
        for name, count in counts.items():
            setattr(self, name, getattr(self, name) + count)

    @property
    def settled(self) -> int:
        return (
            self.sent
            + self.failed
            + self.retrying
            + self.unknown
            + self.blocked
            + self.cancelled
            + sum(self.deferred.values())
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "retrying": self.retrying,
            "unknown": self.unknown,
            "blocked": self.blocked,
            "cancelled": self.cancelled,
            "deferred": sum(self.deferred.values()),
            "deferred_reasons": dict(sorted(self.deferred.items())),
        }

    def summary(self) -> str:
        """``sent 74, failed 0, deferred 12 (quiet hours)`` and the other kinds when any."""
        deferred = sum(self.deferred.values())
        reasons = ", ".join(
            f"{code.replace('_', ' ')}" + (f" {n}" if len(self.deferred) > 1 else "")
            for code, n in sorted(self.deferred.items())
        )
        parts = [
            f"sent {self.sent:,}",
            f"failed {self.failed:,}",
            f"deferred {deferred:,}" + (f" ({reasons})" if reasons else ""),
        ]
        for name in ("retrying", "unknown", "blocked", "cancelled"):
            if getattr(self, name):
                parts.append(f"{name} {getattr(self, name):,}")
        return ", ".join(parts)
