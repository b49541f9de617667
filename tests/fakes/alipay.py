"""A local fake of Alipay's asynchronous payment notice (异步通知): it holds its own RSA
test key pair and builds notices signed exactly as Alipay signs them, for the tests to POST
to the real endpoint with Django's test client.

Alipay's recipe (open platform, "异步通知验签"): the notice is a form
(``application/x-www-form-urlencoded``, ``charset`` field naming the encoding); ``sign``
is base64 of RSA-SHA256 with PKCS#1 v1.5 padding (``sign_type=RSA2``) over every field but
``sign`` and ``sign_type`` whose value is not empty, sorted by name, ``name=value`` joined
by ``&`` — the values as they are before URL-encoding. The fields and their shapes follow a
real ``trade_status_sync`` notice; ``passback_params`` is handed back URL-encoded, as the
merchant sent it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count
from urllib.parse import quote_plus, urlencode
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

BEIJING = ZoneInfo("Asia/Shanghai")
APP_ID = "2021000000000001"
SELLER_ID = "2088000000000001"


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeAlipay:
    """Alipay's notify side with its own key: ``notice(...)`` gives signed form fields,
    ``body(fields)`` the bytes Alipay would POST, ``public_key_pem`` what a lender puts in
    ``ARREARS_ALIPAY_PUBLIC_KEY`` (``public_key_base64`` the bare form of the console)."""

    app_id: str = APP_ID
    charset: str = "utf-8"
    key: rsa.RSAPrivateKey = field(default_factory=_new_key)
    _numbers: count[int] = field(default_factory=lambda: count(1))

    @property
    def public_key_pem(self) -> str:
        return (
            self.key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )

    @property
    def public_key_base64(self) -> str:
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode("ascii")

    def trade_no(self, day: datetime | None = None) -> str:
        """A trade number of Alipay's shape: the date, ``2200``, a serial (28 digits)."""
        day = day or datetime.now(BEIJING)
        return f"{day:%Y%m%d}2200{next(self._numbers):016d}"

    def content(self, fields: dict[str, str]) -> str:
        """The content to sign (Alipay's ``getSignCheckContentV2``)."""
        return "&".join(
            f"{name}={fields[name]}"
            for name in sorted(fields)
            if name not in ("sign", "sign_type") and fields[name] != ""
        )

    def sign(self, fields: dict[str, str]) -> dict[str, str]:
        """``fields`` with ``sign_type=RSA2`` and their ``sign``."""
        signature = self.key.sign(
            self.content(fields).encode(self.charset), padding.PKCS1v15(), hashes.SHA256()
        )
        return {**fields, "sign_type": "RSA2", "sign": base64.b64encode(signature).decode()}

    def notice(
        self,
        *,
        out_trade_no: str,
        total_amount: str,
        trade_status: str = "TRADE_SUCCESS",
        trade_no: str | None = None,
        loan_id: str | None = None,
        receipt_amount: str | None = None,
        paid_at: datetime | None = None,
        **extra: str,
    ) -> dict[str, str]:
        """A signed ``trade_status_sync`` notice. ``loan_id`` goes into ``passback_params``
        as the merchant would have set it (URL-encoded JSON); ``extra`` adds or overrides
        fields before signing."""
        now = datetime.now(BEIJING).replace(microsecond=0)
        paid = (paid_at or now - timedelta(seconds=5)).astimezone(BEIJING)
        fields = {
            "notify_time": f"{now:%Y-%m-%d %H:%M:%S}",
            "notify_type": "trade_status_sync",
            "notify_id": f"2026{next(self._numbers):028d}",
            "charset": self.charset,
            "version": "1.0",
            "app_id": self.app_id,
            "auth_app_id": self.app_id,
            "seller_id": SELLER_ID,
            "buyer_id": "2088102122524333",
            "trade_no": trade_no or self.trade_no(paid),
            "out_trade_no": out_trade_no,
            "subject": "贷款还款",
            "trade_status": trade_status,
            "total_amount": total_amount,
            "gmt_create": f"{paid - timedelta(seconds=30):%Y-%m-%d %H:%M:%S}",
        }
        if trade_status in ("TRADE_SUCCESS", "TRADE_FINISHED"):
            fields["gmt_payment"] = f"{paid:%Y-%m-%d %H:%M:%S}"
            fields["receipt_amount"] = receipt_amount or total_amount
            fields["buyer_pay_amount"] = total_amount
            fields["invoice_amount"] = total_amount
            fields["fund_bill_list"] = json.dumps(
                [{"amount": total_amount, "fundChannel": "ALIPAYACCOUNT"}], separators=(",", ":")
            )
        if loan_id is not None:
            fields["passback_params"] = quote_plus(json.dumps({"loan_id": loan_id}))
        fields.update(extra)
        return self.sign(fields)

    def body(self, fields: dict[str, str]) -> bytes:
        """The form body Alipay POSTs for ``fields``."""
        return urlencode(fields, encoding=self.charset).encode("ascii")
