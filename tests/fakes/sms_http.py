"""The fake SMS gateway's HTTP server: routes requests to the two protocols, applies the
queued failures, and serves the control endpoints a gateway run as a process needs.

- ``POST /`` — Aliyun dysmsapi (``sms_aliyun``).
- ``POST /generic/messages`` — the generic JSON gateway (``sms_generic``), and
  ``POST /generic/messages/status`` its status query.
- ``GET /_messages`` — everything accepted, with a count per key (``duplicates`` lists keys
  seen more than once, so a test can assert at-most-once delivery).
- ``POST /_fail`` (``{"n": 2, "mode": "unavailable"}``), ``POST /_reset``, ``POST /_release``
  — failure injection and state control.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.sms_aliyun import aliyun_reply, error
from tests.fakes.sms_generic import (
    GENERIC_PATH,
    GENERIC_STATUS_PATH,
    generic_reply,
    generic_status_reply,
)
from tests.fakes.sms_state import GatewayState


class GatewayServer(ThreadingHTTPServer):
    """A threading HTTP server answering for one ``GatewayState``."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: GatewayState) -> None:
        self.state = state
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a benchmark must not pay a handshake a batch
    # Headers and body are written separately; without TCP_NODELAY the body waits for the
    # client's delayed ACK (~40 ms a request).
    disable_nagle_algorithm = True
    timeout = 120  # idle keep-alive connections end eventually
    server: GatewayServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a benchmark must not spend its time logging."""

    def _reply(self, status: int, payload: object) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        """Serve ``/_messages``."""
        if urlsplit(self.path).path == "/_messages":
            self._reply(200, self.server.state.snapshot())
        else:
            self._reply(404, {"error": "not found"})

    def do_POST(self) -> None:
        """Serve the gateways and the control endpoints."""
        state = self.server.state
        path = urlsplit(self.path).path
        body = self._body()
        if path.startswith("/_"):
            self._control(path, body)
            return
        fault = state.take_fault()
        generic = path in (GENERIC_PATH, GENERIC_STATUS_PATH)
        if fault is not None and fault[0] in {"unavailable", "throttle"}:
            mode, code = fault[0], fault[1]
            if mode == "unavailable":
                self._reply(*error(503, "ServiceUnavailable", "The service is unavailable."))
            elif generic:
                self._reply(429, {"error": "throttled"})
            else:
                code = code or "isv.BUSINESS_LIMIT_CONTROL"
                self._reply(*error(200 if code.startswith("isv.") else 400, code, "触发流控"))
            return
        if path == GENERIC_STATUS_PATH:
            authorization = self.headers.get("Authorization", "")
            status, payload = generic_status_reply(state, authorization, body)
        elif generic:
            status, payload = generic_reply(state, self.headers.get("Authorization", ""), body)
        elif path == "/":
            params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            status, payload = aliyun_reply(state, "POST", params)
        else:
            status, payload = 404, {"error": "not found"}
        if fault is not None:
            # "drop" and "hang": the request was acted on, but no reply comes back.
            if fault[0] == "hang":
                fault[2].wait(state.hang_seconds)
            self.close_connection = True
            return
        self._reply(status, payload)

    def _control(self, path: str, body: bytes) -> None:
        state = self.server.state
        if path == "/_reset":
            state.reset()
        elif path == "/_release":
            state.release_hung()
        elif path == "/_fail":
            try:
                spec = json.loads(body or b"{}")
                state.fail_next(int(spec.get("n", 1)), spec["mode"], code=spec.get("code", ""))
            except (ValueError, KeyError, TypeError) as exc:
                self._reply(400, {"error": f"expected {{'n': int, 'mode': str}}: {exc}"})
                return
        else:
            self._reply(404, {"error": "not found"})
            return
        self._reply(200, {"ok": True})
