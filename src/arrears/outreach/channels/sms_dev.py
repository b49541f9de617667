"""The development SMS channel (``ARREARS_SMS_PROVIDER=dev``, the default outside
production): every SMS is appended to ``ARREARS_DATA_DIR/dev-outbox/sms.log`` — time,
number, key, the exact text — and is ``sent`` with a provider id ``dev-sms-<key>``.

It lets the demo's reminders be seen end to end (outbox → worker → case timeline) with no
gateway. Under production settings (``ARREARS_REQUIRE_SECRET=1``) it refuses to be built.
"""

from __future__ import annotations

from collections.abc import Sequence

from arrears.outreach.channels.base import Outgoing, RequestHooks, Result
from arrears.outreach.channels.dev_sink import (
    SMS_LOG,
    refuse_in_production,
    sink_append,
    sink_entry,
    sink_time,
)


def dev_sms_provider_id(message: Outgoing) -> str:
    return f"dev-sms-{message.idempotency_key or message.message_id}"


class DevSmsChannel:
    """Writes each SMS to the dev outbox file; one request per batch, like a gateway."""

    name = "sms"
    max_batch = 100

    def __init__(self) -> None:
        refuse_in_production("ARREARS_SMS_PROVIDER=dev")

    def send(self, messages: Sequence[Outgoing], hooks: RequestHooks | None = None) -> list[Result]:
        """Append the batch to ``sms.log`` as one request; a message without a number
        fails permanently, as a gateway would refuse it."""
        results: list[Result | None] = [None] * len(messages)
        going = []
        for index, message in enumerate(messages):
            if not message.to.strip():
                results[index] = Result("failed", error="no phone number")
            else:
                going.append((index, message))
        if going:
            batch = [message for _, message in going]
            if hooks is not None:
                hooks.before(batch)
            at = sink_time()
            sink_append(
                SMS_LOG,
                "".join(
                    sink_entry(
                        [
                            ("time", at),
                            ("to", message.to),
                            ("name", message.recipient_name),
                            ("key", message.idempotency_key),
                        ],
                        message.body,
                    )
                    for message in batch
                ),
            )
            sent = [Result("sent", provider_id=dev_sms_provider_id(m)) for m in batch]
            for (index, _), result in zip(going, sent, strict=True):
                results[index] = result
            if hooks is not None:
                hooks.after(batch, sent)
        return [result for result in results if result is not None]
