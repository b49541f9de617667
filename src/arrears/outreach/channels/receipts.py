"""Delivery receipts: what a provider later reports about a message it accepted.

Pure: no Django import. A provider's push format is parsed by its adapter module (for
Aliyun: ``sms_aliyun.parse_delivery_reports``) into these provider-neutral values; the
receipts endpoint matches them to outbox rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Receipt:
    """The final delivery state of one message, as the provider reported it.

    ``provider_id`` is the id the adapter returned in ``Result.provider_id``. A batch send
    shares one provider id (and one ``out_id``) among all its messages, so a receipt is
    matched to its outbox row by ``provider_id`` together with ``phone_number``.
    """

    provider_id: str
    out_id: str
    phone_number: str
    delivered: bool
    error: str  # "" when delivered; else the provider's code and message
    reported_at: datetime | None  # aware; None when the provider did not say
