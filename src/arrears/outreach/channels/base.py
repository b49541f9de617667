"""The interface every channel adapter implements. Pure: no Django import.

The outreach worker hands an adapter a batch of rendered messages; the adapter sends them
and answers, per message and in order, what happened. It never raises for a failure of one
message: a refused number is a permanent failure of that message, a timeout or a 5xx of
the gateway a transient one (the worker retries those with backoff). An adapter that cannot
tell whether a message left (the connection broke after the request was written) answers
``unknown``: the worker never sends such a message again on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

Outcome = Literal["sent", "failed", "unknown"]


@dataclass(frozen=True)
class Outgoing:
    """One rendered message, ready to go."""

    message_id: int  # the outbox row
    channel: str  # "sms", "email" or "letter"
    to: str  # phone number (E.164 or 11-digit mainland), email address, or postal address
    body: str  # the exact text sent (for SMS: what the template renders to)
    subject: str = ""  # email only
    recipient_name: str = ""
    # The same key for every attempt of one message; providers that take one de-duplicate.
    idempotency_key: str = ""
    # For providers that send registered templates (Chinese SMS): the provider's template
    # code and the values of its variables.
    template_code: str = ""
    template_params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    """What happened to one message."""

    outcome: Outcome
    provider_id: str = ""  # the provider's message or batch id, for delivery receipts
    transient: bool = False  # a failure worth retrying later
    error: str = ""


class Channel(Protocol):
    """A transport for one channel."""

    name: str  # "sms", "email", "letter"
    max_batch: int  # the most messages one ``send`` call takes

    def send(self, messages: Sequence[Outgoing]) -> list[Result]:
        """Send ``messages``; one result per message, in the same order."""
        ...
