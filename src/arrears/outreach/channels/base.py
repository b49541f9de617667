"""The interface every channel adapter implements. Pure: no Django import.

The outreach worker hands an adapter a batch of rendered messages; the adapter sends them
and answers, per message and in order, what happened. It never raises for a failure of one
message: a refused number is a permanent failure of that message, a timeout or a 5xx of
the gateway a transient one (the worker retries those with backoff). An adapter that cannot
tell whether a message left (the connection broke after the request was written) answers
``unknown``: the worker never sends such a message again on its own.

**One provider request at a time.** A batch is cut by the adapter into provider requests
(one SMS batch call, one email, one letter). Just before each request it calls
``hooks.before(messages, request_key)`` and just after it ``hooks.after(messages,
results)``: the worker marks exactly those messages ``sending`` in its own transaction
before the request and records them right after, so a worker killed mid-batch strands only
the messages of the request in flight, never the whole batch.

**Asking the provider later.** An adapter whose provider can say what became of a message
(``StatusQuery``: Alibaba Cloud's QuerySendDetails, the generic gateway's status endpoint)
lets the worker settle ``unknown`` messages: found is sent, not found once the provider's
window has passed is safe to send again; only the undecidable stay for a person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

Outcome = Literal["sent", "failed", "unknown"]
Found = Literal["sent", "delivered", "failed", "not_found", "unknown"]


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
    # ``arrears-<installation>-<message id>``: unique across installations sharing a gateway.
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


class RequestHooks(Protocol):
    """What the worker does around each provider request an adapter makes."""

    def before(self, messages: Sequence[Outgoing], request_key: str = "") -> None:
        """Called just before the request carrying ``messages``; ``request_key`` is the
        request's own id at the provider when it has one (Aliyun's batch ``OutId``)."""
        ...

    def after(self, messages: Sequence[Outgoing], results: Sequence[Result]) -> None:
        """Called just after that request, with one result per message."""
        ...


class Channel(Protocol):
    """A transport for one channel."""

    name: str  # "sms", "email", "letter"
    max_batch: int  # the most messages one ``send`` call takes

    def send(self, messages: Sequence[Outgoing], hooks: RequestHooks | None = None) -> list[Result]:
        """Send ``messages``; one result per message, in the same order. A message refused
        before any request (no address, no template code) gets its result without hooks."""
        ...


@dataclass(frozen=True)
class Asked:
    """A message whose fate is unknown, as the worker recorded it when it went out."""

    message_id: int
    key: str  # its idempotency key
    to: str
    sending_at: datetime  # aware: when its request started
    request_key: str = ""  # the request's id at the provider (Aliyun's OutId), if any
    provider_id: str = ""  # the provider's id, if a reply gave one (Aliyun's BizId)


@dataclass(frozen=True)
class Status:
    """What the provider says of an asked message."""

    found: Found  # not_found: the provider has no record of it
    provider_id: str = ""
    error: str = ""
    at: datetime | None = None  # delivery time, when the provider tells


@runtime_checkable
class StatusQuery(Protocol):
    """A provider that answers what became of a message it may have received."""

    # Seconds after a request within which "not found" may still mean "not yet recorded":
    # only a message asked about later than that is safe to send again.
    status_window: float

    def query(self, asked: Sequence[Asked]) -> list[Status]:
        """The provider's answer for each of ``asked``, in order; never raises for a
        provider failure (that message is ``unknown``)."""
        ...
