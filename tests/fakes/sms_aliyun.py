"""The fake's Alibaba Cloud SMS (dysmsapi) side: ``SendSms`` and ``SendBatchSms`` answered
as Aliyun answers them, and SmsReport delivery reports pushed back as Aliyun pushes them.

The request signature is computed here from Aliyun's documentation, independently of the
adapter (``arrears.outreach.channels.sms_aliyun``), so a mistake in either shows up as
SignatureDoesNotMatch. The Timestamp window (15 minutes) and SignatureNonce reuse are
checked too.

A message's key is the ``OutId`` of a ``SendSms`` and ``OutId:phone`` for each number of a
``SendBatchSms`` (a batch has one OutId). ``QuerySendDetails`` answers from what was
recorded, paged and shaped as Aliyun answers it (SendStatus 3 once a delivery report was
pushed, else 1).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from tests.fakes.sms_state import TIMESTAMP_WINDOW, GatewayState, RecordedMessage

Reply = tuple[int, dict[str, Any]]

_BEIJING = timezone(timedelta(hours=8))
_MAINLAND = re.compile(r"(\+?86)?1[3-9]\d{9}")
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


def request_id() -> str:
    """A RequestId in Aliyun's form."""
    return str(uuid.uuid4()).upper()


def error(status: int, code: str, message: str) -> Reply:
    """An Aliyun error reply (also used by the server for injected failures)."""
    return status, {"Code": code, "Message": message, "RequestId": request_id()}


def aliyun_reply(state: GatewayState, method: str, params: Mapping[str, str]) -> Reply:
    """Answer one dysmsapi request as Aliyun would."""
    for name in _REQUIRED:
        if not params.get(name):
            return error(
                400,
                "MissingParameter",
                f"The input parameter {name} that is mandatory for processing this "
                "request is not supplied.",
            )
    if params["AccessKeyId"] != state.access_key_id:
        return error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    if params["SignatureMethod"] != "HMAC-SHA1" or params["SignatureVersion"] != "1.0":
        return error(400, "InvalidParameter", "Unsupported signature method or version.")
    expected, to_sign = _aliyun_signature(method, params, state.access_key_secret)
    if not hmac.compare_digest(expected, params["Signature"]):
        return error(
            400,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation. "
            f"server string to sign is:{to_sign}",
        )
    now = state.now()
    try:
        stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return error(400, "InvalidTimeStamp.Format", "Specified time stamp is not valid.")
    if abs(stamp.replace(tzinfo=UTC).timestamp() - now) > TIMESTAMP_WINDOW:
        return error(400, "InvalidTimeStamp.Expired", "Specified time stamp is expired.")
    if not state.use_nonce(params["SignatureNonce"], now):
        return error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
    if params["Version"] != "2017-05-25":
        return error(400, "InvalidVersion", "Specified parameter Version is not valid.")
    action = params["Action"]
    if action == "SendSms":
        return _send_sms(state, params, now)
    if action == "SendBatchSms":
        return _send_batch_sms(state, params, now)
    if action == "QuerySendDetails":
        return _query_send_details(state, params)
    return error(404, "InvalidAction.NotFound", f"Specified api {action} is not found.")


def _send_sms(state: GatewayState, params: Mapping[str, str], now: float) -> Reply:
    phones = [p for p in params.get("PhoneNumbers", "").split(",") if p]
    if not phones:
        return error(400, "MissingPhoneNumbers", "PhoneNumbers is mandatory.")
    if not params.get("SignName"):
        return error(400, "MissingSignName", "SignName is mandatory.")
    if not params.get("TemplateCode"):
        return error(400, "MissingTemplateCode", "TemplateCode is mandatory.")
    if len(phones) > 1000:
        return error(200, "isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
    if not all(_MAINLAND.fullmatch(p) for p in phones):
        return error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
    try:
        template_params = json.loads(params.get("TemplateParam") or "{}")
    except ValueError:
        return error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法")
    biz_id = f"{state.next_id():018d}^0"
    out_id = params.get("OutId", "")
    state.record(
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
    return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id()}


def _send_batch_sms(state: GatewayState, params: Mapping[str, str], now: float) -> Reply:
    for name in ("PhoneNumberJson", "SignNameJson", "TemplateCode"):
        if not params.get(name):
            return error(400, f"Missing{name}", f"{name} is mandatory.")
    try:
        phones = json.loads(params["PhoneNumberJson"])
        signs = json.loads(params["SignNameJson"])
        values = json.loads(params.get("TemplateParamJson") or "null")
    except ValueError:
        return error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法")
    if values is None:
        values = [{}] * len(phones)
    if not (isinstance(phones, list) and isinstance(signs, list) and isinstance(values, list)):
        return error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法")
    if len(phones) > 100:
        return error(200, "isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
    if not (len(phones) == len(signs) == len(values)):
        return error(200, "isv.INVALID_PARAMETERS", "参数个数不一致")
    if not all(isinstance(p, str) and _MAINLAND.fullmatch(p) for p in phones):
        return error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
    biz_id = f"{state.next_id():018d}^0"
    out_id = params.get("OutId", "")
    state.record(
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
    return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id()}


def _query_send_details(state: GatewayState, params: Mapping[str, str]) -> Reply:
    phone = params.get("PhoneNumber", "")
    send_date = params.get("SendDate", "")
    for name in ("PhoneNumber", "SendDate", "PageSize", "CurrentPage"):
        if not params.get(name):
            return error(400, "MissingParameter", f"The input parameter {name} is mandatory.")
    if not _MAINLAND.fullmatch(phone):
        return error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
    if not re.fullmatch(r"\d{8}", send_date):
        return error(400, "InvalidParameter", "SendDate must be yyyyMMdd.")
    try:
        size, page = int(params["PageSize"]), int(params["CurrentPage"])
    except ValueError:
        return error(400, "InvalidParameter", "PageSize and CurrentPage are numbers.")
    if not 1 <= size <= 50 or page < 1:
        return error(400, "InvalidParameter", "PageSize is 1 to 50; CurrentPage from 1.")
    biz_id = params.get("BizId", "")
    found = [
        (message, reported)
        for message, reported in state.aliyun_records(phone)
        if datetime.fromtimestamp(message.received_at, _BEIJING).strftime("%Y%m%d") == send_date
        and (not biz_id or message.provider_id == biz_id)
    ]
    shown = found[(page - 1) * size : page * size]
    return 200, {
        "Code": "OK",
        "Message": "OK",
        "RequestId": request_id(),
        "TotalCount": str(len(found)),
        "SmsSendDetailDTOs": {
            "SmsSendDetailDTO": [
                {
                    "PhoneNum": message.phone,
                    "SendStatus": 3 if reported else 1,
                    "ErrCode": "DELIVERED" if reported else "",
                    "TemplateCode": message.template_code,
                    "Content": f"【{message.sign_name}】{json.dumps(message.template_params)}",
                    "SendDate": _beijing(message.received_at),
                    "ReceiveDate": _beijing(message.received_at + 1) if reported else "",
                    "OutId": message.out_id,
                }
                for message, reported in shown
            ]
        },
    }


# -- delivery reports ------------------------------------------------------------------------


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


def push_sms_reports(
    state: GatewayState, url: str, *, undelivered: Collection[str] = (), batch_size: int = 100
) -> list[int]:
    """POST Aliyun SmsReport JSON for the Aliyun messages not reported yet to ``url``.

    Numbers in ``undelivered`` are reported as failed. Answers the HTTP status of each
    POST; a refused push is reported again by the next call, as Aliyun retries.
    """
    pending, upto = state.unreported_aliyun()
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
        state.mark_reported(upto)
    return statuses
