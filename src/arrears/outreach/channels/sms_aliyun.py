"""SMS through Alibaba Cloud SMS (阿里云短信服务, dysmsapi, API version 2017-05-25).

Pure: no Django import. Uses the RPC-style API with signature version 1.0 (HMAC-SHA1):
every parameter, common and action-specific, is percent-encoded (RFC 3986), sorted by key
and joined into the canonicalized query string; ``"POST&%2F&" + percentEncode(that)`` is
signed with ``AccessKeySecret + "&"`` and the base64 digest travels as ``Signature`` in an
``application/x-www-form-urlencoded`` POST body.

Aliyun sends only registered templates: the text the outbox rendered is evidence of what the
template says, while the gateway receives ``TemplateCode`` and ``TemplateParam``. Messages
sharing a template go out in one ``SendBatchSms`` call of up to 100 numbers; a lone message
uses ``SendSms``. A batch has one ``OutId`` and one ``BizId``, so a delivery report is matched
to its message by ``BizId`` plus phone number (see ``receipts.Receipt``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import quote

from arrears.core import phones
from arrears.outreach.channels.base import Asked, Outgoing, RequestHooks, Result, Status
from arrears.outreach.channels.receipts import Receipt
from arrears.outreach.channels.sms_aliyun_status import beijing_time, query_send_details
from arrears.outreach.channels.sms_generic import (
    GatewayConnection,
    HttpReply,
    ReplyLost,
    RequestNotSent,
    message_key,
)

__all__ = [
    "ALIYUN_ENDPOINT",
    "API_VERSION",
    "BATCH_LIMIT",
    "AliyunSmsChannel",
    "Receipt",
    "aliyun_number",
    "canonicalized_query",
    "normalize_mainland_mobile",
    "parse_delivery_reports",
    "percent_encode",
    "sign",
    "string_to_sign",
]

ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
API_VERSION = "2017-05-25"
BATCH_LIMIT = 100  # SendBatchSms takes at most 100 numbers
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# Codes that say "not now" rather than "never": per-number frequency limits, API throttling,
# a busy service, and account states (balance, suspension) that an operator fixes without
# the message being at fault. Every other code fails the message permanently.
TRANSIENT_CODES = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",
        "isv.DAY_LIMIT_CONTROL",
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "ServiceUnavailable",
        "InternalError",
        "SignatureNonceUsed",  # the next attempt carries a fresh nonce
        "isv.AMOUNT_NOT_ENOUGH",
        "isv.OUT_OF_SERVICE",
    }
)


def percent_encode(value: str) -> str:
    """Percent-encode as Aliyun's signature 1.0 requires (RFC 3986, ``~`` left as is)."""
    encoded = quote(value, safe="~")
    # quote() already yields %20 and %2A; the replacements keep the documented rule explicit
    # and make the function correct even if quote's defaults ever change.
    return encoded.replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def canonicalized_query(params: Mapping[str, str]) -> str:
    """Encode each key and value, sort by encoded key, and join ``k=v`` pairs with ``&``."""
    pairs = sorted((percent_encode(k), percent_encode(v)) for k, v in params.items())
    return "&".join(f"{k}={v}" for k, v in pairs)


def string_to_sign(params: Mapping[str, str], method: str = "POST") -> str:
    """``METHOD&%2F&percentEncode(canonicalized query)``; ``Signature`` itself is left out."""
    unsigned = {k: v for k, v in params.items() if k != "Signature"}
    return f"{method}&{percent_encode('/')}&{percent_encode(canonicalized_query(unsigned))}"


def sign(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    """The ``Signature`` value: base64(HMAC-SHA1(secret + "&", StringToSign))."""
    digest = hmac.new(
        f"{secret}&".encode(), string_to_sign(params, method).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


def normalize_mainland_mobile(number: str) -> str | None:
    """``number`` (E.164 as stored, or as written: ``+86``/``0086``/``86`` and separators
    allowed) as the 11 digits Aliyun takes for a mainland mobile, or None when it is not
    one (``core.phones.mainland_mobile``)."""
    return phones.mainland_mobile(number)


def aliyun_number(number: str) -> str | None:
    """``number`` as Aliyun's ``PhoneNumbers`` takes it: 11 digits for a mainland mobile;
    for a number abroad (国际/港澳台消息) the country code and number without ``+`` or
    ``00`` (``+12025550143`` → ``12025550143``), Aliyun's documented "国际区号+号码". None for
    what no text message reaches (a landline, not a number). Sending abroad also needs an
    international signature and template registered with Aliyun."""
    mainland = phones.mainland_mobile(number)
    if mainland is not None:
        return mainland
    if number.strip().startswith("+86") or not phones.is_mobile_capable(number):
        return None
    stored = phones.index_form(number)
    if not stored.startswith("+") or stored.startswith("+86"):
        return None
    return phones.international_digits(stored)


def _batch_out_id(chunk: Sequence[Outgoing]) -> str:
    # One OutId per request: a digest of the messages' keys, so retrying the same batch
    # carries the same OutId and a report can be traced back to the batch.
    digest = hashlib.sha256("\n".join(message_key(m) for m in chunk).encode()).hexdigest()
    return f"batch-{digest[:32]}"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class AliyunSmsChannel:
    """SMS through Aliyun dysmsapi; groups messages by template into ``SendBatchSms`` calls.

    ``max_batch`` is what one ``send`` takes; each template group is cut into requests of at
    most 100 numbers. ``clock`` and ``nonce`` can be replaced for deterministic requests.
    """

    name = "sms"

    def __init__(
        self,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        *,
        endpoint: str = ALIYUN_ENDPOINT,
        region: str = "cn-hangzhou",
        timeout: float = 10.0,
        max_batch: int = 1000,
        status_window: float = 600.0,
        clock: Callable[[], datetime] | None = None,
        nonce: Callable[[], str] | None = None,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.max_batch = max_batch
        self.status_window = status_window
        self.access_key_id = access_key_id
        self.sign_name = sign_name
        self.region = region
        self._secret = access_key_secret
        self._clock = clock or (lambda: datetime.now(UTC))
        self._nonce = nonce or (lambda: uuid.uuid4().hex)
        self._http = GatewayConnection(endpoint, timeout=timeout)

    def close(self) -> None:
        """Close the gateway connection."""
        self._http.close()

    def send(self, messages: Sequence[Outgoing], hooks: RequestHooks | None = None) -> list[Result]:
        """Send ``messages``; one result per message, in the same order."""
        results: list[Result | None] = [None] * len(messages)
        groups: dict[str, list[tuple[int, Outgoing, str]]] = {}
        for index, message in enumerate(messages):
            if not message.template_code:
                results[index] = Result(
                    "failed",
                    error="no template_code: Aliyun SMS sends only registered templates; "
                    "the message template needs its Aliyun template code",
                )
                continue
            phone = aliyun_number(message.to)
            if phone is None:
                # Checked here because one illegal number makes Aliyun refuse a whole batch.
                results[index] = Result(
                    "failed", error=f"not a mobile number SMS can reach: {message.to!r}"
                )
                continue
            groups.setdefault(message.template_code, []).append((index, message, phone))
        for template_code, members in groups.items():
            for start in range(0, len(members), BATCH_LIMIT):
                chunk = members[start : start + BATCH_LIMIT]
                params = self.request_params(template_code, [(m, phone) for _, m, phone in chunk])
                sent = [m for _, m, _ in chunk]
                if hooks is not None:
                    hooks.before(sent, params["OutId"])
                outcome = self._send_request(params)
                if hooks is not None:
                    hooks.after(sent, [outcome] * len(sent))
                for index, _, _ in chunk:
                    results[index] = outcome
        return [r if r is not None else Result("unknown", error="not attempted") for r in results]

    def signed(self, action: Mapping[str, str]) -> dict[str, str]:
        """The common parameters, ``action``'s own, and the ``Signature`` over them all."""
        params = {
            "AccessKeyId": self.access_key_id,
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": self._nonce(),
            "SignatureVersion": "1.0",
            "Timestamp": self._clock().astimezone(UTC).strftime(TIMESTAMP_FORMAT),
            "Version": API_VERSION,
            **action,
        }
        params["Signature"] = sign(params, self._secret)
        return params

    def request_params(
        self, template_code: str, chunk: Sequence[tuple[Outgoing, str]]
    ) -> dict[str, str]:
        """The signed parameters of one request for ``chunk`` of (message, normalized phone)."""
        action = {"TemplateCode": template_code}
        if len(chunk) == 1:
            message, phone = chunk[0]
            action["Action"] = "SendSms"
            action["PhoneNumbers"] = phone
            action["SignName"] = self.sign_name
            action["TemplateParam"] = _json(dict(message.template_params))
            action["OutId"] = message_key(message)
        else:
            action["Action"] = "SendBatchSms"
            action["PhoneNumberJson"] = _json([phone for _, phone in chunk])
            action["SignNameJson"] = _json([self.sign_name] * len(chunk))
            action["TemplateParamJson"] = _json([dict(m.template_params) for m, _ in chunk])
            action["OutId"] = _batch_out_id([m for m, _ in chunk])
        return self.signed(action)

    def post_signed(self, params: Mapping[str, str]) -> HttpReply:
        """POST signed ``params`` as a form; raises ``RequestNotSent`` or ``ReplyLost``."""
        body = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in params.items())
        headers = {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Accept": "application/json",
        }
        return self._http.post(body.encode(), headers)

    def _send_request(self, params: Mapping[str, str]) -> Result:
        try:
            reply = self.post_signed(params)
        except RequestNotSent as exc:
            return Result("failed", transient=True, error=f"gateway unreachable: {exc}")
        except ReplyLost as exc:
            return Result("unknown", error=f"reply lost after sending: {exc}")
        return _result_from_reply(reply)

    def query(self, asked: Sequence[Asked]) -> list[Status]:
        """What QuerySendDetails says of each of ``asked`` (``sms_aliyun_status``)."""
        answers = []
        for item in asked:
            phone = aliyun_number(item.to)
            if phone is None:
                # Such a number is refused before any request: it never reached Aliyun.
                answers.append(Status("not_found", error="not a mobile number SMS can reach"))
            else:
                answers.append(query_send_details(self, item, phone))
        return answers


def _result_from_reply(reply: HttpReply) -> Result:
    try:
        payload = json.loads(reply.body)
        code = payload.get("Code") if isinstance(payload, dict) else None
    except ValueError:
        code = None
    if not isinstance(code, str):
        if reply.status >= 500 or reply.status == 429:
            return Result("failed", transient=True, error=f"gateway HTTP {reply.status}")
        if 200 <= reply.status < 300:
            # Accepted at the HTTP level without a readable verdict: it may have been sent.
            return Result("unknown", error="unreadable gateway reply")
        detail = reply.body[:200].decode("utf-8", "replace")
        return Result("failed", error=f"gateway HTTP {reply.status}: {detail}")
    if code == "OK":
        return Result("sent", provider_id=str(payload.get("BizId") or ""))
    error = f"{code}: {payload.get('Message', '')}"
    if code in TRANSIENT_CODES or reply.status >= 500:
        return Result("failed", transient=True, error=error)
    return Result("failed", error=error)


def _report_success(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise ValueError(f"'success' must be a boolean, got {value!r}")


def parse_delivery_reports(body: bytes) -> list[Receipt]:
    """Parse Aliyun's SmsReport push (a JSON list of report objects) into receipts.

    Raises ``ValueError`` naming the first bad entry when the body is not such a list, so the
    endpoint can refuse the push and Aliyun retries it rather than losing reports.
    """
    try:
        reports = json.loads(body)
    except ValueError as exc:
        raise ValueError(f"SmsReport body is not JSON: {exc}") from exc
    if not isinstance(reports, list):
        raise ValueError("SmsReport body must be a JSON list")
    receipts = []
    for position, report in enumerate(reports):
        if not isinstance(report, dict) or not report.get("biz_id"):
            raise ValueError(f"SmsReport entry {position} is not a report with a biz_id")
        try:
            delivered = _report_success(report.get("success"))
        except ValueError as exc:
            raise ValueError(f"SmsReport entry {position}: {exc}") from exc
        error = ""
        if not delivered:
            code = str(report.get("err_code") or "")
            message = str(report.get("err_msg") or "")
            error = f"{code}: {message}" if message else code or "not delivered"
        receipts.append(
            Receipt(
                provider_id=str(report["biz_id"]),
                out_id=str(report.get("out_id") or ""),
                phone_number=str(report.get("phone_number") or ""),
                delivered=delivered,
                error=error,
                reported_at=beijing_time(report.get("report_time")),
            )
        )
    return receipts
