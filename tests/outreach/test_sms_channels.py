"""SMS adapters against the local fake gateway, over real HTTP on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import pytest
from django.core.exceptions import ImproperlyConfigured

from arrears.outreach.channels.base import Outgoing
from arrears.outreach.channels.sms import NoSmsChannel, sms_channel_from_settings
from arrears.outreach.channels.sms_aliyun import (
    AliyunSmsChannel,
    parse_delivery_reports,
    sign,
    string_to_sign,
)
from arrears.outreach.channels.sms_generic import GenericSmsChannel
from tests.fakes.sms_gateway import FakeSmsGateway

SIGN_NAME = "测试金融"


@pytest.fixture(scope="module")
def gateway() -> Iterator[FakeSmsGateway]:
    with FakeSmsGateway(access_key_secret="s3cret/+=", token="tok-123") as fake:
        yield fake


@pytest.fixture
def fake(gateway: FakeSmsGateway) -> FakeSmsGateway:
    gateway.reset()
    gateway.dedupe = False
    return gateway


def aliyun(fake: FakeSmsGateway, **kwargs: Any) -> AliyunSmsChannel:
    secret = kwargs.pop("secret", fake.access_key_secret)
    return AliyunSmsChannel(
        fake.access_key_id, secret, SIGN_NAME, endpoint=fake.aliyun_url, **kwargs
    )


def generic(fake: FakeSmsGateway, **kwargs: Any) -> GenericSmsChannel:
    token = kwargs.pop("token", fake.token)
    return GenericSmsChannel(fake.generic_url, token, **kwargs)


def sms(n: int, *, template: str = "SMS_100001", to: str | None = None) -> Outgoing:
    return Outgoing(
        message_id=n,
        channel="sms",
        to=to if to is not None else f"1380000{n:04d}",
        body=f"【{SIGN_NAME}】尊敬的客户{n}，您的借款已逾期，应还 {n}.00 元。",
        idempotency_key=f"outbox-{n}",
        template_code=template,
        template_params={"name": f"客户{n}", "amount": f"{n}.00"},
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- Aliyun ----------------------------------------------------------------------------------


def test_a_batch_of_250_goes_out_in_three_requests_with_every_parameter(
    fake: FakeSmsGateway,
) -> None:
    messages = [sms(n) for n in range(250)]

    results = aliyun(fake).send(messages)

    assert [r.outcome for r in results] == ["sent"] * 250
    assert fake.request_count == 3
    recorded = {m.phone: m for m in fake.messages()}
    assert len(recorded) == 250
    for message, result in zip(messages, results, strict=True):
        got = recorded[message.to]
        assert got.action == "SendBatchSms"
        assert got.template_code == "SMS_100001"
        assert got.template_params == dict(message.template_params)
        assert got.sign_name == SIGN_NAME
        assert got.provider_id == result.provider_id  # the BizId, for delivery reports
    assert len({r.provider_id for r in results}) == 3
    assert fake.duplicates() == {}


def test_messages_are_grouped_by_template_and_results_keep_their_order(
    fake: FakeSmsGateway,
) -> None:
    messages = [sms(1, template="SMS_A"), sms(2, template="SMS_B"), sms(3, template="SMS_A")]

    results = aliyun(fake).send(messages)

    assert [r.outcome for r in results] == ["sent"] * 3
    assert fake.request_count == 2
    assert results[0].provider_id == results[2].provider_id != results[1].provider_id
    by_phone = {m.phone: m for m in fake.messages()}
    lone = by_phone[messages[1].to]
    assert (lone.action, lone.out_id, lone.key) == ("SendSms", "outbox-2", "outbox-2")


def test_a_wrong_secret_is_a_permanent_failure_naming_the_code(fake: FakeSmsGateway) -> None:
    results = aliyun(fake, secret="not-the-secret").send([sms(1), sms(2)])

    assert [r.outcome for r in results] == ["failed", "failed"]
    assert not any(r.transient for r in results)
    assert all(r.error.startswith("SignatureDoesNotMatch") for r in results)
    assert fake.messages() == []


def test_a_503_is_a_transient_failure_and_the_retry_goes_through(fake: FakeSmsGateway) -> None:
    channel = aliyun(fake)
    fake.fail_next(1, "unavailable")

    first = channel.send([sms(1)])
    second = channel.send([sms(1)])

    assert first[0].outcome == "failed" and first[0].transient
    assert second[0].outcome == "sent"
    assert fake.counts() == {"outbox-1": 1}


@pytest.mark.parametrize("code", ["isv.BUSINESS_LIMIT_CONTROL", "Throttling.User"])
def test_throttling_is_a_transient_failure(fake: FakeSmsGateway, code: str) -> None:
    fake.fail_next(1, "throttle", code=code)

    [result] = aliyun(fake).send([sms(1)])

    assert result.outcome == "failed" and result.transient
    assert result.error.startswith(code)


def test_a_connection_closed_after_the_request_is_unknown(fake: FakeSmsGateway) -> None:
    channel = aliyun(fake)
    fake.fail_next(1, "drop")

    results = channel.send([sms(1), sms(2)])

    assert [r.outcome for r in results] == ["unknown", "unknown"]
    # The gateway did act on it: resending would have sent these twice.
    assert len(fake.messages()) == 2
    assert channel.send([sms(3)])[0].outcome == "sent"  # the adapter reconnects


def test_a_reply_that_never_comes_is_unknown(fake: FakeSmsGateway) -> None:
    fake.fail_next(1, "hang")
    try:
        [result] = aliyun(fake, timeout=0.2).send([sms(1)])
    finally:
        fake.release_hung()

    assert result.outcome == "unknown"
    assert "timed out" in result.error


def test_an_unreachable_gateway_is_a_transient_failure() -> None:
    channel = AliyunSmsChannel(
        "id", "secret", SIGN_NAME, endpoint=f"http://127.0.0.1:{free_port()}/", timeout=2
    )

    [result] = channel.send([sms(1)])

    assert result.outcome == "failed" and result.transient
    assert "unreachable" in result.error


def test_a_message_without_template_code_fails_clearly_and_alone(fake: FakeSmsGateway) -> None:
    results = aliyun(fake).send([sms(1, template=""), sms(2)])

    assert results[0].outcome == "failed" and not results[0].transient
    assert "template_code" in results[0].error
    assert results[1].outcome == "sent"
    assert [m.phone for m in fake.messages()] == ["13800000002"]


def test_a_bad_number_fails_alone_instead_of_sinking_its_batch(fake: FakeSmsGateway) -> None:
    messages = [sms(1), sms(2, to="12345"), sms(3, to="+86 138-0000-0003")]

    results = aliyun(fake).send(messages)

    assert [r.outcome for r in results] == ["sent", "failed", "sent"]
    assert "12345" in results[1].error
    assert sorted(m.phone for m in fake.messages()) == ["13800000001", "13800000003"]


def test_a_reused_signature_nonce_is_refused(fake: FakeSmsGateway) -> None:
    channel = aliyun(fake, nonce=lambda: "always-the-same")

    first = channel.send([sms(1)])
    second = channel.send([sms(2)])

    assert first[0].outcome == "sent"
    assert second[0].outcome == "failed" and second[0].error.startswith("SignatureNonceUsed")


def test_a_timestamp_outside_fifteen_minutes_is_refused(fake: FakeSmsGateway) -> None:
    stale = datetime.now(UTC) - timedelta(minutes=16)

    [result] = aliyun(fake, clock=lambda: stale).send([sms(1)])

    assert result.outcome == "failed" and result.error.startswith("InvalidTimeStamp.Expired")


def test_the_signature_of_aliyuns_documented_example() -> None:
    # The example of Aliyun's SMS signature documentation (GET, secret "testSecret").
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }

    assert string_to_sign(params, "GET") == (
        "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123"
        "%26PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF"
        "%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8"
        "%25AF%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0"
        "%26TemplateCode%3DSMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A"
        "%2522test%2522%257D%26Timestamp%3D2017-07-12T02%253A42%253A19Z"
        "%26Version%3D2017-05-25"
    )
    assert sign(params, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_the_post_signature_follows_the_documented_steps() -> None:
    params = {
        "AccessKeyId": "LTAI-example",
        "Action": "SendBatchSms",
        "PhoneNumberJson": '["13800000001","13800000002"]',
        "SignNameJson": '["测试金融","测试金融"]',
        "TemplateParamJson": '[{"name":"张 三*"},{"name":"李~四"}]',
        "Timestamp": "2026-12-01T08:00:00Z",
        "SignatureNonce": "n-1",
    }

    def encode(value: str) -> str:
        return quote(value, safe="~").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")

    canonical = "&".join(f"{encode(k)}={encode(params[k])}" for k in sorted(params))
    to_sign = "POST&%2F&" + encode(canonical)
    expected = base64.b64encode(
        hmac.new(b"example-secret&", to_sign.encode(), hashlib.sha1).digest()
    ).decode()

    assert string_to_sign(params) == to_sign
    assert sign(params, "example-secret") == expected


# -- delivery reports ------------------------------------------------------------------------


def test_delivery_reports_parse_into_receipts() -> None:
    body = json.dumps(
        [
            {
                "phone_number": "13800000001",
                "send_time": "2026-12-01 09:00:00",
                "report_time": "2026-12-01 09:00:05",
                "success": True,
                "err_code": "DELIVERED",
                "err_msg": "用户接收成功",
                "sms_size": "1",
                "biz_id": "900619746936498440^0",
                "out_id": "outbox-1",
            },
            {
                "phone_number": "13800000002",
                "send_time": "2026-12-01 09:00:00",
                "report_time": "2026-12-01 09:00:07",
                "success": False,
                "err_code": "MK:0001",
                "err_msg": "用户停机",
                "sms_size": "1",
                "biz_id": "900619746936498441^0",
                "out_id": "outbox-2",
            },
        ],
        ensure_ascii=False,
    ).encode()

    delivered, failed = parse_delivery_reports(body)

    assert (delivered.provider_id, delivered.out_id, delivered.delivered, delivered.error) == (
        "900619746936498440^0",
        "outbox-1",
        True,
        "",
    )
    assert delivered.reported_at == datetime(2026, 12, 1, 1, 0, 5, tzinfo=UTC)
    assert delivered.phone_number == "13800000001"
    assert (failed.delivered, failed.error) == (False, "MK:0001: 用户停机")


@pytest.mark.parametrize("body", [b"not json", b'{"biz_id": "1"}', b'[{"success": true}]'])
def test_a_malformed_report_push_is_refused_whole(body: bytes) -> None:
    with pytest.raises(ValueError, match="SmsReport"):
        parse_delivery_reports(body)


def test_the_fake_pushes_reports_that_match_the_send_results(fake: FakeSmsGateway) -> None:
    received: list[bytes] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        messages = [sms(1), sms(2), sms(3, template="SMS_OTHER")]
        results = aliyun(fake).send(messages)
        url = f"http://127.0.0.1:{server.server_address[1]}/receipts/aliyun"
        statuses = fake.push_delivery_reports(url, undelivered={"13800000002"})
        again = fake.push_delivery_reports(url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

    assert statuses == [200] and again == []
    receipts = {(r.provider_id, r.phone_number): r for r in parse_delivery_reports(received[0])}
    for message, result in zip(messages, results, strict=True):
        receipt = receipts[(result.provider_id, message.to)]
        assert receipt.delivered is (message.to != "13800000002")
    assert receipts[(results[2].provider_id, "13800000003")].out_id == "outbox-3"


# -- the fake's own reporting ----------------------------------------------------------------


def test_the_fake_reports_duplicates_over_http_and_can_dedupe(fake: FakeSmsGateway) -> None:
    channel = aliyun(fake)
    fake.dedupe = True

    channel.send([sms(1)])
    channel.send([sms(1)])
    with urllib.request.urlopen(f"{fake.base_url}/_messages", timeout=5) as response:
        snapshot = json.load(response)

    assert snapshot["duplicates"] == {"outbox-1": 2}
    assert len(snapshot["messages"]) == 1
    assert snapshot["requests"] == 2


def test_failures_can_be_injected_over_http(fake: FakeSmsGateway) -> None:
    request = urllib.request.Request(
        f"{fake.base_url}/_fail", data=b'{"n": 2, "mode": "unavailable"}', method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200

    results = [generic(fake).send([sms(n)])[0] for n in range(3)]

    assert [(r.outcome, r.transient) for r in results] == [
        ("failed", True),
        ("failed", True),
        ("sent", False),
    ]


# -- generic gateway -------------------------------------------------------------------------


def test_the_generic_gateway_round_trip(fake: FakeSmsGateway) -> None:
    messages = [sms(1), sms(2, to="call me"), sms(3)]

    results = generic(fake).send(messages)

    assert [r.outcome for r in results] == ["sent", "failed", "sent"]
    assert results[1].error == "invalid number" and not results[1].transient
    recorded = fake.messages()
    assert [(m.key, m.phone, m.text) for m in recorded] == [
        ("outbox-1", "13800000001", messages[0].body),
        ("outbox-3", "13800000003", messages[2].body),
    ]
    assert [m.provider_id for m in recorded] == [results[0].provider_id, results[2].provider_id]


def test_the_generic_gateway_sends_one_request_per_max_batch(fake: FakeSmsGateway) -> None:
    results = generic(fake, max_batch=100).send([sms(n) for n in range(250)])

    assert [r.outcome for r in results] == ["sent"] * 250
    assert fake.request_count == 3


def test_a_wrong_generic_token_is_a_permanent_failure(fake: FakeSmsGateway) -> None:
    [result] = generic(fake, token="wrong").send([sms(1)])

    assert result.outcome == "failed" and not result.transient
    assert result.error.startswith("gateway HTTP 401")


@pytest.mark.parametrize(
    ("mode", "outcome", "transient"),
    [("unavailable", "failed", True), ("throttle", "failed", True), ("drop", "unknown", False)],
)
def test_generic_gateway_failures(
    fake: FakeSmsGateway, mode: Any, outcome: str, transient: bool
) -> None:
    fake.fail_next(1, mode)

    [result] = generic(fake).send([sms(1)])

    assert (result.outcome, result.transient) == (outcome, transient)


# -- choosing the channel from the environment -----------------------------------------------


def test_in_production_without_a_provider_every_message_fails_permanently(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    # Outside production the default is the development channel (tests/outreach/
    # test_dev_channels.py); production settings never fall back to it.
    settings.REQUIRE_SECRET = True
    monkeypatch.delenv("ARREARS_SMS_PROVIDER", raising=False)

    channel = sms_channel_from_settings()

    assert isinstance(channel, NoSmsChannel)
    [result] = channel.send([sms(1)])
    assert (result.outcome, result.transient, result.error) == (
        "failed",
        False,
        "no SMS provider configured",
    )


def test_the_aliyun_provider_is_built_from_the_environment(
    fake: FakeSmsGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARREARS_SMS_PROVIDER", "aliyun")
    monkeypatch.setenv("ARREARS_SMS_URL", fake.aliyun_url)
    monkeypatch.setenv("ARREARS_SMS_ACCESS_KEY_ID", fake.access_key_id)
    monkeypatch.setenv("ARREARS_SMS_ACCESS_KEY_SECRET", fake.access_key_secret)
    monkeypatch.setenv("ARREARS_SMS_SIGN_NAME", SIGN_NAME)
    monkeypatch.setenv("ARREARS_SMS_TIMEOUT", "5")

    [result] = sms_channel_from_settings().send([sms(1)])

    assert result.outcome == "sent"
    assert fake.messages()[0].sign_name == SIGN_NAME


def test_the_generic_provider_is_built_from_the_environment(
    fake: FakeSmsGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARREARS_SMS_PROVIDER", "generic")
    monkeypatch.setenv("ARREARS_SMS_URL", fake.generic_url)
    monkeypatch.setenv("ARREARS_SMS_TOKEN", fake.token)

    [result] = sms_channel_from_settings().send([sms(1)])

    assert result.outcome == "sent"


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"ARREARS_SMS_PROVIDER": "generic"}, "ARREARS_SMS_URL"),
        ({"ARREARS_SMS_PROVIDER": "aliyun"}, "ARREARS_SMS_ACCESS_KEY_ID"),
        ({"ARREARS_SMS_PROVIDER": "carrier-pigeon"}, "ARREARS_SMS_PROVIDER"),
        ({"ARREARS_SMS_PROVIDER": "none"}, None),
    ],
)
def test_a_bad_sms_configuration_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], missing: str | None
) -> None:
    for name in ("ARREARS_SMS_URL", "ARREARS_SMS_ACCESS_KEY_ID", "ARREARS_SMS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    if missing is None:
        assert isinstance(sms_channel_from_settings(), NoSmsChannel)
    else:
        with pytest.raises(ImproperlyConfigured, match=missing):
            sms_channel_from_settings()


def test_report_times_are_beijing_time() -> None:
    body = b'[{"biz_id": "1^0", "success": "true", "report_time": "2026-12-01 08:00:00"}]'

    [receipt] = parse_delivery_reports(body)

    assert receipt.reported_at == datetime(2026, 12, 1, 8, tzinfo=timezone(timedelta(hours=8)))
