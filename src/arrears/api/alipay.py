"""Alipay's asynchronous payment notice (异步通知): reading the form, checking the RSA2
signature, and turning the fields into a notice of the ledger.

Alipay POSTs ``application/x-www-form-urlencoded`` fields to the merchant's ``notify_url``
and re-sends (8 times over about 25 hours) until the answer is the plain text ``success``.
The signature (``sign``, with ``sign_type=RSA2``) is base64 of RSA-SHA256 (PKCS#1 v1.5)
under Alipay's key over the *content to sign*: every field but ``sign`` and ``sign_type``
whose value is not empty, URL-decoded, sorted by name, written ``name=value`` and joined
with ``&``, encoded in the notice's ``charset`` (UTF-8 unless it says GBK). Alipay's public
key comes from ``ARREARS_ALIPAY_PUBLIC_KEY``: PEM text, a path to a PEM file, or the bare
base64 key the Alipay console shows.

What the ledger takes from a notice:

- ``trade_no`` (Alipay's transaction number) is the transaction id;
- money only when ``trade_status`` is ``TRADE_SUCCESS`` or ``TRADE_FINISHED``; any other
  status (``WAIT_BUYER_PAY``, ``TRADE_CLOSED``) is acknowledged and kept without money;
- the amount is ``receipt_amount`` (实收金额, what the lender received) when the notice
  has one, else ``total_amount``, both yuan with at most two decimals;
- the day paid is ``gmt_payment`` (else ``notify_time``), Beijing time;
- the loan id travels in ``passback_params``, the URL-encoded JSON ``{"loan_id": "…"}``
  the lender set when it created the order (Alipay hands it back untouched: the only
  unambiguous place, since loan ids may hold hyphens); failing that, ``out_trade_no`` of
  the form ``<loan_id>-<anything>`` gives the part before its last hyphen (so the suffix must
  not hold one). A loan id that is missing or malformed never refuses the notice: the money
  arrived, so the notice is kept unmatched for a person to match.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, unquote_plus
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from arrears.core.bounds import amount_check, date_check
from arrears.core.errors import InvalidInput

PROVIDER = "alipay"
PAID_STATUSES = frozenset({"TRADE_SUCCESS", "TRADE_FINISHED"})
CHARSETS = frozenset({"utf-8", "gbk", "gb2312", "gb18030"})
BEIJING = ZoneInfo("Asia/Shanghai")
MAX_FIELDS = 200
TRANSACTION_ID_LIMIT = 64
LOAN_ID_LIMIT = 100
_YUAN = re.compile(r"\d{1,13}(?:\.\d{1,2})?")
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class AlipayNotice:
    """What the ledger reads from a verified notice (amount in fen; ``paid_at`` aware)."""

    transaction_id: str
    loan_id: str
    amount: int
    paid_at: datetime
    trade_status: str

    @property
    def carries_money(self) -> bool:
        """True when the trade is paid (``TRADE_SUCCESS`` / ``TRADE_FINISHED``)."""
        return self.trade_status in PAID_STATUSES


def alipay_fields(raw: bytes) -> dict[str, str]:
    """The notice's form fields, URL-decoded in the ``charset`` the notice names.

    ``InvalidInput`` when the body is not a form, names an unknown charset, does not decode
    in it, or holds a field twice (which one would be signed is then ambiguous)."""
    try:
        text = raw.decode("ascii")
        # A first pass only to find the charset: latin-1 decodes any byte.
        probe = parse_qsl(text, keep_blank_values=True, encoding="latin-1")
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidInput("the body is not form-urlencoded", field="body") from error
    charset = next((value for name, value in probe if name == "charset"), "").strip().lower()
    charset = charset or "utf-8"
    if charset not in CHARSETS:
        raise InvalidInput(f"unknown charset {charset!r}", field="charset")
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            encoding=charset,
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidInput(f"the fields are not valid {charset}", field="body") from error
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise InvalidInput(f"{name!r} appears twice", field=name)
        fields[name] = value
    return fields


def alipay_content(fields: dict[str, str]) -> str:
    """The string Alipay signs: non-empty fields but ``sign`` and ``sign_type``, sorted by
    name, ``name=value`` joined by ``&``."""
    return "&".join(
        f"{name}={fields[name]}"
        for name in sorted(fields)
        if name not in ("sign", "sign_type") and fields[name] != ""
    )


def _key_file_text(text: str) -> str:
    """The PEM in the file ``text`` names, or ``text`` itself when it names no file.

    A console key is ~400 base64 characters: read as a path, a run of them without ``/``
    is a name longer than the file system allows and ``stat`` raises ENAMETOOLONG rather
    than saying "no such file", so any OSError means "not a path"."""
    if text.startswith("-----BEGIN") or len(text) >= 4096:
        return text
    try:
        if Path(text).is_file():
            return Path(text).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return text
    return text


@functools.lru_cache(maxsize=4)
def alipay_public_key(text: str) -> rsa.RSAPublicKey:
    """Alipay's public key from the setting's text: PEM, a path to a PEM file, or the bare
    base64 (DER) key of the Alipay console. ``InvalidInput`` when it is none of those."""
    text = _key_file_text(text.strip())
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode("ascii"))
        else:
            key = serialization.load_der_public_key(base64.b64decode("".join(text.split())))
    except (ValueError, UnsupportedAlgorithm, binascii.Error, UnicodeEncodeError) as error:
        raise InvalidInput("ARREARS_ALIPAY_PUBLIC_KEY is not a public key") from error
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidInput("ARREARS_ALIPAY_PUBLIC_KEY is not an RSA key")
    return key


def alipay_verify(fields: dict[str, str], key: rsa.RSAPublicKey) -> bool:
    """True when ``fields`` carry an RSA2 signature by ``key`` over their content."""
    if fields.get("sign_type", "") != "RSA2":
        return False
    # A sender that did not escape "+" in the form turns it into a space; base64 has none.
    sign = fields.get("sign", "").replace(" ", "+")
    try:
        signature = base64.b64decode(sign, validate=True)
    except (binascii.Error, ValueError):
        return False
    charset = (fields.get("charset") or "utf-8").lower()
    try:
        content = alipay_content(fields).encode(charset)
    except (LookupError, UnicodeEncodeError):
        return False
    try:
        key.verify(signature, content, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def _yuan(fields: dict[str, str], name: str) -> int:
    text = fields.get(name, "").strip()
    if not _YUAN.fullmatch(text):
        raise InvalidInput(f"{name}: expected yuan with at most two decimals", field=name)
    whole, _dot, cents = text.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


def _paid_at(fields: dict[str, str]) -> datetime:
    name = next(
        (n for n in ("gmt_payment", "notify_time", "gmt_create") if fields.get(n)), "gmt_payment"
    )
    try:
        moment = datetime.strptime(fields.get(name, ""), _TIME_FORMAT).replace(tzinfo=BEIJING)
    except ValueError as error:
        raise InvalidInput(f"{name}: expected YYYY-MM-DD HH:MM:SS", field=name) from error
    date_check(moment, field=name)
    return moment


def _loan_id(fields: dict[str, str]) -> str:
    passback = fields.get("passback_params", "").strip()
    if passback:
        text = passback if passback.startswith("{") else unquote_plus(passback)
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        loan_id = value.get("loan_id") if isinstance(value, dict) else None
        if isinstance(loan_id, str | int) and not isinstance(loan_id, bool):
            return str(loan_id).strip()[:LOAN_ID_LIMIT]
    order = fields.get("out_trade_no", "").strip()
    return order.rsplit("-", 1)[0][:LOAN_ID_LIMIT] if order else ""


def alipay_notice(fields: dict[str, str]) -> AlipayNotice:
    """The ledger's reading of verified ``fields``; ``InvalidInput`` naming the field when
    the transaction number, the status, the amount or the time cannot be read."""
    transaction_id = fields.get("trade_no", "").strip()
    if not transaction_id or len(transaction_id) > TRANSACTION_ID_LIMIT:
        raise InvalidInput("trade_no: expected Alipay's transaction number", field="trade_no")
    status = fields.get("trade_status", "").strip()
    if not status:
        raise InvalidInput("trade_status: missing", field="trade_status")
    paid = status in PAID_STATUSES
    if paid or fields.get("total_amount"):
        name = "receipt_amount" if fields.get("receipt_amount") else "total_amount"
        amount = amount_check(_yuan(fields, name), field=name, allow_zero=not paid)
    else:
        amount = 0
    return AlipayNotice(
        transaction_id=transaction_id,
        loan_id=_loan_id(fields),
        amount=amount,
        paid_at=_paid_at(fields),
        trade_status=status[:60],
    )
