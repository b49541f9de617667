"""A local fake of the SMS gateways, speaking their real protocols over HTTP on 127.0.0.1.

Pure: no Django import. Serves, on one port:

- ``POST /`` — Aliyun dysmsapi (``SendSms``, ``SendBatchSms``): checks the signature the way
  Aliyun does (computed here independently of the adapter, so the two check each other), the
  Timestamp window (15 minutes) and SignatureNonce reuse, and answers BizIds.
- ``POST /generic/messages`` — the generic JSON gateway of ``sms_generic``, bearer token.
- ``GET /_messages`` — everything accepted, with a count per key (``duplicates`` lists keys
  seen more than once, so a test can assert at-most-once delivery).
- ``POST /_fail`` (``{"n": 2, "mode": "unavailable"}``), ``POST /_reset``, ``POST /_release``
  — failure injection and state control for a gateway run as a subprocess.

In process::

    with FakeSmsGateway() as fake:
        channel = AliyunSmsChannel(fake.access_key_id, fake.access_key_secret, "测试",
                                   endpoint=fake.aliyun_url)
        fake.fail_next(1, "drop")   # next request: processed, then connection closed

As a process: ``python -m arrears.outreach.channels.fake_gateway --port 8725 --secret S``.

A message's key is the generic ``id``; for Aliyun the ``OutId`` of a ``SendSms`` and
``OutId:phone`` for each number of a ``SendBatchSms`` (a batch has one OutId).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, get_args
from urllib.parse import parse_qsl, quote, urlsplit

__all__ = ["FailureMode", "FakeSmsGateway", "RecordedMessage", "main"]

FailureMode = Literal["unavailable", "throttle", "drop", "hang"]
"""``unavailable``: HTTP 503. ``throttle``: Aliyun isv.BUSINESS_LIMIT_CONTROL (or ``code``),
generic HTTP 429. ``drop``: process the request, then close the connection without a reply.
``hang``: process it, then hold the connection until released or stopped."""

TIMESTAMP_WINDOW = 15 * 60  # seconds either side of the server clock Aliyun accepts
_BEIJING = timezone(timedelta(hours=8))
_MAINLAND = re.compile(r"(\+?86)?1[3-9]\d{9}")
_ANY_PHONE = re.compile(r"\+?\d{6,15}")
_REQUIRED = (
    "AccessKeyId",
    "Action",
    "Format",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
    "Version",
    "Signature",
)

Reply = tuple[int, dict[str, Any]]


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


def _aliyun_encode(value: str) -> str:
    # Written from Aliyun's documentation rather than imported from the adapter, so that a
    # mistake in either shows up as SignatureDoesNotMatch.
    return quote(value, safe="-_.~")


def _aliyun_signature(method: str, params: Mapping[str, str], secret: str) -> tuple[str, str]:
    query = "&".join(
        f"{_aliyun_encode(k)}={_aliyun_encode(v)}"
        for k, v in sorted(params.items())
        if k != "Signature"
    )
    to_sign = f"{method}&%2F&{_aliyun_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode(), to_sign


def _error(status: int, code: str, message: str) -> Reply:
    return status, {"Code": code, "Message": message, "RequestId": str(uuid.uuid4()).upper()}


class FakeSmsGateway:
    """The fake gateways with their recorded state; ``start()`` serves them in a thread."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        access_key_id: str = "fake-access-key-id",
        access_key_secret: str = "fake-access-key-secret",
        token: str = "fake-token",
        dedupe: bool = False,
        hang_seconds: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.host = host
        self.port = port
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
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> FakeSmsGateway:
        """Bind and serve in a daemon thread; ``port=0`` picks a free port."""
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-sms-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release hung requests, stop serving and close the socket."""
        self.release_hung()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> FakeSmsGateway:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self.host}:{self.port}"

    @property
    def aliyun_url(self) -> str:
        """The endpoint to give ``AliyunSmsChannel``."""
        return f"{self.base_url}/"

    @property
    def generic_url(self) -> str:
        """The URL to give ``GenericSmsChannel``."""
        return f"{self.base_url}/generic/messages"

    # -- state ------------------------------------------------------------------------------

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

    # -- delivery reports -------------------------------------------------------------------

    def push_delivery_reports(
        self, url: str, *, undelivered: Collection[str] = (), batch_size: int = 100
    ) -> list[int]:
        """POST Aliyun SmsReport JSON for the Aliyun messages not reported yet to ``url``.

        Numbers in ``undelivered`` are reported as failed. Answers the HTTP status of each
        POST; a refused push is reported again by the next call, as Aliyun retries.
        """
        with self._lock:
            pending = [m for m in self._messages[self._reported :] if m.gateway == "aliyun"]
            upto = len(self._messages)
        statuses = []
        all_ok = True
        for start in range(0, len(pending), batch_size):
            chunk = pending[start : start + batch_size]
            reports = [_sms_report(m, m.phone not in undelivered) for m in chunk]
            request = urllib.request.Request(
                url,
                data=json.dumps(reports, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)
                all_ok = False
        if all_ok:
            with self._lock:
                self._reported = max(self._reported, upto)
        return statuses

    # -- request handling (called from server threads) --------------------------------------

    def _take_fault(self) -> tuple[FailureMode, str, threading.Event] | None:
        with self._lock:
            self.request_count += 1
            if not self._faults:
                return None
            mode, code = self._faults.pop(0)
            return mode, code, self._release

    def _record(self, batch: list[RecordedMessage]) -> None:
        with self._lock:
            for message in batch:
                seen = self._counts.get(message.key, 0)
                self._counts[message.key] = seen + 1
                if not (self.dedupe and seen):
                    self._messages.append(message)

    def _use_nonce(self, nonce: str, now: float) -> bool:
        with self._lock:
            if nonce in self._nonces:
                return False
            self._nonces[nonce] = now
            if len(self._nonces) % 4096 == 0:
                # A nonce older than the Timestamp window cannot be replayed anyway.
                horizon = now - 2 * TIMESTAMP_WINDOW
                self._nonces = {k: t for k, t in self._nonces.items() if t >= horizon}
            return True

    def handle_aliyun(self, method: str, params: Mapping[str, str]) -> Reply:
        """Answer one dysmsapi request as Aliyun would."""
        for name in _REQUIRED:
            if not params.get(name):
                return _error(
                    400,
                    "MissingParameter",
                    f"The input parameter {name} that is mandatory for processing this "
                    "request is not supplied.",
                )
        if params["AccessKeyId"] != self.access_key_id:
            return _error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if params["SignatureMethod"] != "HMAC-SHA1" or params["SignatureVersion"] != "1.0":
            return _error(400, "InvalidParameter", "Unsupported signature method or version.")
        expected, to_sign = _aliyun_signature(method, params, self.access_key_secret)
        if not hmac.compare_digest(expected, params["Signature"]):
            return _error(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. "
                f"server string to sign is:{to_sign}",
            )
        now = self._clock()
        try:
            stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            return _error(400, "InvalidTimeStamp.Format", "Specified time stamp is not valid.")
        if abs(stamp.replace(tzinfo=UTC).timestamp() - now) > TIMESTAMP_WINDOW:
            return _error(400, "InvalidTimeStamp.Expired", "Specified time stamp is expired.")
        if not self._use_nonce(params["SignatureNonce"], now):
            return _error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        if params["Version"] != "2017-05-25":
            return _error(400, "InvalidVersion", "Specified parameter Version is not valid.")
        action = params["Action"]
        if action == "SendSms":
            return self._send_sms(params, now)
        if action == "SendBatchSms":
            return self._send_batch_sms(params, now)
        return _error(404, "InvalidAction.NotFound", f"Specified api {action} is not found.")

    def _send_sms(self, params: Mapping[str, str], now: float) -> Reply:
        phones = [p for p in params.get("PhoneNumbers", "").split(",") if p]
        if not phones:
            return _error(400, "MissingPhoneNumbers", "PhoneNumbers is mandatory.")
        if not params.get("SignName"):
            return _error(400, "MissingSignName", "SignName is mandatory.")
        if not params.get("TemplateCode"):
            return _error(400, "MissingTemplateCode", "TemplateCode is mandatory.")
        if len(phones) > 1000:
            return _error(200, "isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
        if not all(_MAINLAND.fullmatch(p) for p in phones):
            return _error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        try:
            template_params = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            return _error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法")
        biz_id = f"{next(self._ids):018d}^0"
        out_id = params.get("OutId", "")
        self._record(
            [
                RecordedMessage(
                    gateway="aliyun",
                    key=(out_id if len(phones) == 1 else f"{out_id}:{phone}") or phone,
                    phone=phone,
                    provider_id=biz_id,
                    received_at=now,
                    sign_name=params["SignName"],
                    template_code=params["TemplateCode"],
                    template_params=template_params,
                    out_id=out_id,
                    action="SendSms",
                )
                for phone in phones
            ]
        )
        return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": _request_id()}

    def _send_batch_sms(self, params: Mapping[str, str], now: float) -> Reply:
        for name in ("PhoneNumberJson", "SignNameJson", "TemplateCode"):
            if not params.get(name):
                return _error(400, f"Missing{name}", f"{name} is mandatory.")
        try:
            phones = json.loads(params["PhoneNumberJson"])
            signs = json.loads(params["SignNameJson"])
            values = json.loads(params.get("TemplateParamJson") or "null")
        except ValueError:
            return _error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法")
        if values is None:
            values = [{}] * len(phones)
        if not (isinstance(phones, list) and isinstance(signs, list) and isinstance(values, list)):
            return _error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法")
        if len(phones) > 100:
            return _error(200, "isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
        if not (len(phones) == len(signs) == len(values)):
            return _error(200, "isv.INVALID_PARAMETERS", "参数个数不一致")
        if not all(isinstance(p, str) and _MAINLAND.fullmatch(p) for p in phones):
            return _error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        biz_id = f"{next(self._ids):018d}^0"
        out_id = params.get("OutId", "")
        self._record(
            [
                RecordedMessage(
                    gateway="aliyun",
                    key=f"{out_id}:{phone}",
                    phone=phone,
                    provider_id=biz_id,
                    received_at=now,
                    sign_name=str(sign_name),
                    template_code=params["TemplateCode"],
                    template_params=template_values,
                    out_id=out_id,
                    action="SendBatchSms",
                )
                for phone, sign_name, template_values in zip(phones, signs, values, strict=True)
            ]
        )
        return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": _request_id()}

    def handle_generic(self, authorization: str, body: bytes) -> Reply:
        """Answer one generic-gateway request."""
        if not hmac.compare_digest(authorization.encode(), f"Bearer {self.token}".encode()):
            return 401, {"error": "invalid token"}
        try:
            items = json.loads(body)["messages"]
            if not isinstance(items, list):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return 400, {"error": 'body must be {"messages": [...]}'}
        now = self._clock()
        results: list[dict[str, str]] = []
        accepted: list[RecordedMessage] = []
        for item in items:
            key = str(item.get("id") or "") if isinstance(item, dict) else ""
            phone = str(item.get("to") or "") if isinstance(item, dict) else ""
            text = str(item.get("text") or "") if isinstance(item, dict) else ""
            if not key:
                results.append({"id": key, "status": "rejected", "error": "missing id"})
            elif not _ANY_PHONE.fullmatch(phone):
                results.append({"id": key, "status": "rejected", "error": "invalid number"})
            elif not text:
                results.append({"id": key, "status": "rejected", "error": "empty text"})
            else:
                provider_id = f"g-{next(self._ids)}"
                accepted.append(
                    RecordedMessage(
                        gateway="generic",
                        key=key,
                        phone=phone,
                        provider_id=provider_id,
                        received_at=now,
                        text=text,
                    )
                )
                results.append({"id": key, "status": "accepted", "provider_id": provider_id})
        self._record(accepted)
        return 200, {"results": results}


def _request_id() -> str:
    return str(uuid.uuid4()).upper()


def _beijing(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, _BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _sms_report(message: RecordedMessage, delivered: bool) -> dict[str, Any]:
    return {
        "phone_number": message.phone,
        "send_time": _beijing(message.received_at),
        "report_time": _beijing(message.received_at + 1),
        "success": delivered,
        "err_code": "DELIVERED" if delivered else "MK:0001",
        "err_msg": "用户接收成功" if delivered else "用户停机",
        "sms_size": "1",
        "biz_id": message.provider_id,
        "out_id": message.out_id,
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], gateway: FakeSmsGateway) -> None:
        self.gateway = gateway
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a benchmark must not pay a handshake a batch
    # Headers and body are written separately; without TCP_NODELAY the body waits for the
    # client's delayed ACK (~40 ms a request).
    disable_nagle_algorithm = True
    timeout = 120  # idle keep-alive connections end eventually
    server: _Server

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
        gateway = self.server.gateway
        if urlsplit(self.path).path == "/_messages":
            self._reply(200, gateway.snapshot())
        else:
            self._reply(404, {"error": "not found"})

    def do_POST(self) -> None:
        """Serve the gateways and the control endpoints."""
        gateway = self.server.gateway
        path = urlsplit(self.path).path
        body = self._body()
        if path.startswith("/_"):
            self._control(path, body)
            return
        fault = gateway._take_fault()
        generic = path == urlsplit(gateway.generic_url).path
        if fault is not None and fault[0] in {"unavailable", "throttle"}:
            mode, code = fault[0], fault[1]
            if mode == "unavailable":
                self._reply(*_error(503, "ServiceUnavailable", "The service is unavailable."))
            elif generic:
                self._reply(429, {"error": "throttled"})
            else:
                code = code or "isv.BUSINESS_LIMIT_CONTROL"
                self._reply(*_error(200 if code.startswith("isv.") else 400, code, "触发流控"))
            return
        if generic:
            status, payload = gateway.handle_generic(self.headers.get("Authorization", ""), body)
        elif path == "/":
            params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            status, payload = gateway.handle_aliyun("POST", params)
        else:
            status, payload = 404, {"error": "not found"}
        if fault is not None:
            # "drop" and "hang": the request was acted on, but no reply comes back.
            if fault[0] == "hang":
                fault[2].wait(gateway.hang_seconds)
            self.close_connection = True
            return
        self._reply(status, payload)

    def _control(self, path: str, body: bytes) -> None:
        gateway = self.server.gateway
        if path == "/_reset":
            gateway.reset()
        elif path == "/_release":
            gateway.release_hung()
        elif path == "/_fail":
            try:
                spec = json.loads(body or b"{}")
                gateway.fail_next(int(spec.get("n", 1)), spec["mode"], code=spec.get("code", ""))
            except (ValueError, KeyError, TypeError) as exc:
                self._reply(400, {"error": f"expected {{'n': int, 'mode': str}}: {exc}"})
                return
        else:
            self._reply(404, {"error": "not found"})
            return
        self._reply(200, {"ok": True})


def main(argv: list[str] | None = None) -> None:
    """Run the fake gateway in the foreground until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--access-key-id", default="fake-access-key-id")
    parser.add_argument("--secret", default="fake-access-key-secret", help="AccessKeySecret")
    parser.add_argument("--token", default="fake-token", help="generic gateway bearer token")
    parser.add_argument("--dedupe", action="store_true", help="record each key once")
    args = parser.parse_args(argv)
    gateway = FakeSmsGateway(
        host=args.host,
        port=args.port,
        access_key_id=args.access_key_id,
        access_key_secret=args.secret,
        token=args.token,
        dedupe=args.dedupe,
    ).start()
    print(f"fake SMS gateway listening on {gateway.base_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        gateway.stop()


if __name__ == "__main__":
    main()
