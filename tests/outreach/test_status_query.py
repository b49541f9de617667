"""Asking the SMS providers what became of a message, against the local fake gateway over
real HTTP: Alibaba Cloud's QuerySendDetails (signed like every dysmsapi call, one number on
one day, paged) and the generic gateway's status endpoint. And the adapters' calls around
each provider request, which is what lets the worker mark only that request ``sending``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest

from arrears.outreach.channels.base import Asked, Outgoing, Result, Status
from arrears.outreach.channels.sms_aliyun import AliyunSmsChannel
from arrears.outreach.channels.sms_generic import GenericSmsChannel
from tests.fakes.sms_gateway import FakeSmsGateway

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def fake() -> Iterator[FakeSmsGateway]:
    with FakeSmsGateway(token="tok") as gateway:
        yield gateway


class Hooks:
    """Notes the adapter's calls around each provider request."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[int], str]] = []

    def before(self, messages: Sequence[Outgoing], request_key: str = "") -> None:
        self.calls.append(("before", [m.message_id for m in messages], request_key))

    def after(self, messages: Sequence[Outgoing], results: Sequence[Result]) -> None:
        self.calls.append(("after", [m.message_id for m in messages], ""))


def sms(n: int, *, to: str | None = None, template: str = "SMS_1") -> Outgoing:
    return Outgoing(
        message_id=n,
        channel="sms",
        to=to or f"1380000{n:04d}",
        body=f"text {n}",
        idempotency_key=f"arrears-1a2b3c4d-{n}",
        template_code=template,
        template_params={"n": str(n)},
    )


def asked(message: Outgoing, *, request_key: str = "", at: datetime | None = None) -> Asked:
    return Asked(
        message.message_id,
        message.idempotency_key,
        message.to,
        at or datetime.now(UTC),
        request_key=request_key,
    )


def aliyun(fake: FakeSmsGateway) -> AliyunSmsChannel:
    return AliyunSmsChannel(
        fake.access_key_id, fake.access_key_secret, "测试", endpoint=fake.aliyun_url
    )


def test_aliyun_calls_the_hooks_around_each_request_with_its_out_id(
    fake: FakeSmsGateway,
) -> None:
    hooks = Hooks()
    messages = [sms(n) for n in range(1, 151)] + [sms(151, template="")]

    results = aliyun(fake).send(messages, hooks)

    out_ids = sorted({m.out_id for m in fake.messages()})
    assert [(step, len(ids)) for step, ids, _ in hooks.calls] == [
        ("before", 100),
        ("after", 100),
        ("before", 50),
        ("after", 50),
    ]
    assert sorted(key for step, _, key in hooks.calls if step == "before") == out_ids
    # The message without a template code never went into a request: no hooks for it.
    assert results[-1].outcome == "failed" and all(r.outcome == "sent" for r in results[:-1])


def test_query_send_details_finds_batch_and_single_messages_and_not_the_others(
    fake: FakeSmsGateway,
) -> None:
    channel = aliyun(fake)
    hooks = Hooks()
    batch, single, never = [sms(1), sms(2), sms(3)], sms(4), sms(5)
    channel.send(batch, hooks)
    channel.send([single])
    out_id = hooks.calls[0][2]

    answers = channel.query(
        [asked(m, request_key=out_id) for m in batch] + [asked(single), asked(never)]
    )

    assert [a.found for a in answers] == ["sent", "sent", "sent", "sent", "not_found"]
    fake.mark_reported(len(fake.messages()))  # the carriers' receipts have come
    delivered = channel.query([asked(batch[0], request_key=out_id)])
    assert delivered[0].found == "delivered" and delivered[0].at is not None


def test_query_send_details_asks_both_days_of_a_request_at_midnight_and_pages(
    fake: FakeSmsGateway,
) -> None:
    channel = aliyun(fake)
    # 60 earlier messages to the same number the same day: more than one page of 50.
    for n in range(100, 160):
        channel.send([sms(n, to="13900000000")])
    target = sms(7, to="13900000000")
    channel.send([target])
    midnight = datetime.now(BEIJING).replace(hour=23, minute=59, second=58) - timedelta(days=1)

    found = channel.query([asked(target)])
    yesterday = channel.query([asked(target, at=midnight)])
    elsewhere = channel.query([asked(target, at=midnight - timedelta(days=2))])

    assert found == [Status("sent")]
    # Sent "yesterday 23:59:58": the query also asks today, where the record is.
    assert yesterday == [Status("sent")]
    assert elsewhere == [Status("not_found")]


def test_an_aliyun_query_the_gateway_refuses_is_unknown_not_not_found(
    fake: FakeSmsGateway,
) -> None:
    channel = aliyun(fake)
    fake.fail_next(1, "throttle", code="Throttling.User")

    answer = channel.query([asked(sms(1))])

    assert answer[0].found == "unknown" and "Throttling.User" in answer[0].error


def test_the_generic_status_endpoint_finds_keys_and_says_not_found(
    fake: FakeSmsGateway,
) -> None:
    channel = GenericSmsChannel(fake.generic_url, "tok", max_batch=2)
    hooks = Hooks()
    channel.send([sms(1), sms(2), sms(3)], hooks)

    answers = channel.query([asked(sms(1)), asked(sms(3)), asked(sms(9))])
    fake.fail_next(1, "unavailable")
    down = channel.query([asked(sms(1))])

    by_key = {m.key: m.provider_id for m in fake.messages()}
    assert answers == [
        Status("sent", provider_id=by_key["arrears-1a2b3c4d-1"]),
        Status("sent", provider_id=by_key["arrears-1a2b3c4d-3"]),
        Status("not_found"),
    ]
    assert down[0].found == "unknown"
    assert hooks.calls == [
        ("before", [1, 2], ""),
        ("after", [1, 2], ""),
        ("before", [3], ""),
        ("after", [3], ""),
    ]
