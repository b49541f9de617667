"""SMS over a generic JSON HTTP gateway, and the keep-alive HTTP transport SMS adapters share.

Pure: no Django import. The generic protocol, one request per batch::

    POST <url>
    Authorization: Bearer <token>
    Content-Type: application/json

    {"messages": [{"id": "<idempotency key>", "to": "+8613800138000", "text": "..."}]}

    200 {"results": [{"id": "...", "status": "accepted" | "rejected",
                      "provider_id": "...", "error": "..."}]}

and a status query, for messages whose reply was lost (the worker asks before it sends a
message again)::

    POST <url>/status
    Authorization: Bearer <token>

    {"ids": ["<idempotency key>", ...]}

    200 {"results": [{"id": "...", "status": "sent" | "delivered" | "failed" | "not_found"
                      | "unknown", "provider_id": "...", "error": "..."}]}

``not_found`` means the gateway never accepted a message with that key; ``unknown`` that it
cannot say yet.

Failures are told apart by where the exchange broke: before the request was fully written
the gateway cannot have acted on it (transient, safe to retry); after it was written the
gateway may have sent the messages (``unknown``, never retried automatically).
"""

from __future__ import annotations

import http.client
import json
import select
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from arrears.outreach.channels.base import Asked, Outgoing, RequestHooks, Result, Status

__all__ = [
    "GatewayConnection",
    "GenericSmsChannel",
    "HttpReply",
    "ReplyLost",
    "RequestNotSent",
    "message_key",
]


@dataclass(frozen=True)
class HttpReply:
    """A complete HTTP response from a gateway."""

    status: int
    body: bytes


class RequestNotSent(Exception):
    """The request never fully reached the gateway (connect failed, write failed)."""


class ReplyLost(Exception):
    """The request was written but no complete response came back; it may have been acted on."""


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class GatewayConnection:
    """One persistent HTTP(S) connection to a gateway URL, reopened when it breaks.

    Reusing the connection matters: a new TCP (and TLS) handshake per batch would cost more
    than the gateway's work. Calls are serialised by a lock, so one instance may be shared by
    threads, though one adapter per worker thread keeps them from waiting on each other.
    """

    def __init__(self, url: str, *, timeout: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"gateway URL must be http(s)://host/...: {url!r}")
        self.url = url
        self.timeout = timeout
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()

    def _connection(self) -> http.client.HTTPConnection:
        conn = self._conn
        if conn is not None and conn.sock is not None:
            # An idle keep-alive socket that is readable has been closed by the server (or
            # holds stray bytes). Writing a POST on it would end in a lost reply, which would
            # turn a harmless idle close into an "unknown" outcome, so reconnect first.
            readable, _, _ = select.select([conn.sock], [], [], 0)
            if readable:
                self._close_locked()
                conn = None
        if conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = cls(self._host, self._port, timeout=self.timeout)
            self._conn = conn
        return conn

    def post(self, body: bytes, headers: Mapping[str, str], *, suffix: str = "") -> HttpReply:
        """POST ``body`` to the URL (plus ``suffix`` on its path); raise ``RequestNotSent``
        or ``ReplyLost`` when the exchange breaks."""
        path = self._path
        if suffix:
            base, _, query = path.partition("?")
            path = base.rstrip("/") + suffix + (f"?{query}" if query else "")
        with self._lock:
            conn = self._connection()
            try:
                if conn.sock is None:
                    conn.connect()
                conn.request("POST", path, body=body, headers=dict(headers))
            except (OSError, http.client.HTTPException) as exc:
                self._close_locked()
                raise RequestNotSent(_describe(exc)) from exc
            try:
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self._close_locked()
                raise ReplyLost(_describe(exc)) from exc
            if response.will_close:
                self._close_locked()
            return HttpReply(status=response.status, body=data)

    def _close_locked(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        """Close the connection; the next ``post`` opens a new one."""
        with self._lock:
            self._close_locked()


def _chunks(items: Sequence[Outgoing], size: int) -> list[Sequence[Outgoing]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def message_key(message: Outgoing) -> str:
    """The id a gateway sees for ``message``: its idempotency key, else its outbox id."""
    return message.idempotency_key or f"msg-{message.message_id}"


class GenericSmsChannel:
    """SMS through a generic JSON gateway (see the module docstring for the protocol)."""

    name = "sms"

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float = 10.0,
        max_batch: int = 100,
        status_window: float = 600.0,
    ):
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.max_batch = max_batch
        self.status_window = status_window
        self._token = token
        self._http = GatewayConnection(url, timeout=timeout)

    def send(self, messages: Sequence[Outgoing], hooks: RequestHooks | None = None) -> list[Result]:
        """Send ``messages``, one request per ``max_batch``; one result per message, in order."""
        results: list[Result] = []
        for chunk in _chunks(messages, self.max_batch):
            if hooks is not None:
                hooks.before(chunk)
            answered = self._send_chunk(chunk)
            if hooks is not None:
                hooks.after(chunk, answered)
            results.extend(answered)
        return results

    def query(self, asked: Sequence[Asked]) -> list[Status]:
        """Ask the gateway's status endpoint about ``asked``, 100 keys a request."""
        answers: list[Status] = []
        for start in range(0, len(asked), 100):
            answers.extend(self._query_chunk(asked[start : start + 100]))
        return answers

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self._token}",
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
        }

    def _query_chunk(self, chunk: Sequence[Asked]) -> list[Status]:
        body = json.dumps({"ids": [a.key for a in chunk]}).encode()
        try:
            reply = self._http.post(body, self._headers(), suffix="/status")
        except (RequestNotSent, ReplyLost) as exc:
            return [Status("unknown", error=f"status query failed: {exc}")] * len(chunk)
        if not 200 <= reply.status < 300:
            error = f"status query: gateway HTTP {reply.status}"
            return [Status("unknown", error=error)] * len(chunk)
        try:
            entries = json.loads(reply.body)["results"]
            by_id = {str(e["id"]): e for e in entries if isinstance(e, dict)}
        except (ValueError, KeyError, TypeError):
            return [Status("unknown", error="unreadable status reply")] * len(chunk)
        answers = []
        for item in chunk:
            entry = by_id.get(item.key, {})
            found = entry.get("status")
            if found not in ("sent", "delivered", "failed", "not_found"):
                answers.append(Status("unknown", error=f"status query answered {found!r}"))
                continue
            answers.append(
                Status(
                    found,
                    provider_id=str(entry.get("provider_id") or ""),
                    error=str(entry.get("error") or ""),
                )
            )
        return answers

    def close(self) -> None:
        """Close the gateway connection."""
        self._http.close()

    def _send_chunk(self, chunk: Sequence[Outgoing]) -> list[Result]:
        payload = {"messages": [{"id": message_key(m), "to": m.to, "text": m.body} for m in chunk]}
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            reply = self._http.post(body, self._headers())
        except RequestNotSent as exc:
            return [Result("failed", transient=True, error=f"gateway unreachable: {exc}")] * len(
                chunk
            )
        except ReplyLost as exc:
            return [Result("unknown", error=f"reply lost after sending: {exc}")] * len(chunk)
        return _results_from_reply(reply, chunk)


def _results_from_reply(reply: HttpReply, chunk: Sequence[Outgoing]) -> list[Result]:
    status = reply.status
    if status >= 500 or status in {408, 429}:
        return [Result("failed", transient=True, error=f"gateway HTTP {status}")] * len(chunk)
    if not 200 <= status < 300:
        detail = reply.body[:200].decode("utf-8", "replace")
        return [Result("failed", error=f"gateway HTTP {status}: {detail}")] * len(chunk)
    try:
        payload = json.loads(reply.body)
        entries = payload["results"]
        by_id = {str(entry["id"]): entry for entry in entries if isinstance(entry, dict)}
    except (ValueError, KeyError, TypeError):
        # The gateway took the request (2xx) but its answer cannot be read: the messages
        # may have gone, so resending them could send twice.
        return [Result("unknown", error="unreadable gateway reply")] * len(chunk)
    results = []
    for message in chunk:
        entry = by_id.get(message_key(message))
        if entry is None:
            results.append(Result("unknown", error="gateway reply has no result for message"))
            continue
        provider_id = str(entry.get("provider_id") or "")
        if entry.get("status") == "accepted":
            results.append(Result("sent", provider_id=provider_id))
        elif entry.get("status") == "rejected":
            error = str(entry.get("error") or "rejected by gateway")
            results.append(Result("failed", provider_id=provider_id, error=error))
        else:
            results.append(Result("unknown", error=f"unexpected status {entry.get('status')!r}"))
    return results
