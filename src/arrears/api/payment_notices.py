"""``POST /api/v1/payments/notify/<provider>``: payment providers' signed notices.

No user and no bearer token: a notice is authenticated by its signature alone, checked
over the raw body before anything is parsed, and recorded once per provider and
transaction (``portfolio.services.notices``), so a provider may re-send it as often as it
likes. The answer comes as soon as the notice is stored and posted.

- ``generic``: a JSON body ``{"transaction_id", "loan_id", "amount", "paid_at"}`` signed
  with HMAC-SHA256 over the raw body under ``ARREARS_PAYMENT_WEBHOOK_SECRET``, in the header
  ``X-Arrears-Signature: sha256=<hex>``. Answers 200 ``{"status": "accepted"}`` or
  ``{"status": "duplicate"}``; 401 for a missing or wrong signature or when the secret is
  not set; 400 naming the field for a signed body that cannot be read.
- ``alipay``: Alipay's asynchronous notice (``arrears.api.alipay``), answered with the plain
  text ``success`` (accepted or duplicate) or ``fail`` (401 bad signature, 400 unreadable).

Any other provider: 404. docs/payments.md has the recipes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
from datetime import datetime
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from arrears.api import alipay
from arrears.api.body import json_body
from arrears.api.errors import error_responses
from arrears.core.bounds import amount_check, date_check
from arrears.core.errors import InvalidInput
from arrears.core.money import yuan_to_fen
from arrears.outreach.payment_effects import payment_effects_apply
from arrears.portfolio.services.notices import NoticeIn, NoticeOutcome, notice_record, setting_text

logger = logging.getLogger("arrears.api")

router = Router(tags=["payments"], auth=None)

GENERIC = "generic"
SIGNATURE_HEADER = "X-Arrears-Signature"
SECRET_SETTING = "ARREARS_PAYMENT_WEBHOOK_SECRET"
ALIPAY_KEY_SETTING = "ARREARS_ALIPAY_PUBLIC_KEY"
ALIPAY_APP_SETTING = "ARREARS_ALIPAY_APP_ID"
TRANSACTION_ID_LIMIT = 64
LOAN_ID_LIMIT = 100
_YUAN = re.compile(r"\d{1,13}(?:\.\d{1,2})?")
_PRINTABLE = re.compile(r"[^\x00-\x1f\x7f]+")


def _refused(detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=401)


def _signature_problem(request: HttpRequest) -> str:
    """Why the generic notice's signature is not accepted, or "" when it is."""
    secret = setting_text(SECRET_SETTING)
    if not secret:
        logger.error("payment notice refused: %s is not set", SECRET_SETTING)
        return _("payment notices are not configured")
    given = request.headers.get(SIGNATURE_HEADER, "").strip()
    expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given.lower().encode(), expected.encode()):
        logger.warning("payment notice refused: wrong or missing %s", SIGNATURE_HEADER)
        return _("wrong or missing %(header)s") % {"header": SIGNATURE_HEADER}
    return ""


def _text(body: dict[str, Any], name: str, limit: int) -> str:
    value = body.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(_("%(field)s: required, a string") % {"field": name}, field=name)
    value = value.strip()
    if len(value) > limit or not _PRINTABLE.fullmatch(value):
        raise InvalidInput(
            _("%(field)s: at most %(limit)s printable characters")
            % {"field": name, "limit": limit},
            field=name,
        )
    return value


def _amount(value: Any) -> int:
    problem = _("amount: yuan with at most two decimals, as a string or a number")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidInput(problem, field="amount")
    if isinstance(value, str) and not _YUAN.fullmatch(value.strip()):
        raise InvalidInput(problem, field="amount")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(problem, field="amount")
    try:
        fen = yuan_to_fen(value.strip() if isinstance(value, str) else value)
    except ValueError as error:
        raise InvalidInput(problem, field="amount") from error
    return amount_check(fen, field="amount", allow_zero=False)


def _paid_at(value: Any) -> datetime:
    problem = _("paid_at: an ISO 8601 date and time with its zone (2026-12-06T10:15:00+08:00)")
    if not isinstance(value, str):
        raise InvalidInput(problem, field="paid_at")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise InvalidInput(problem, field="paid_at") from error
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(problem, field="paid_at")
    date_check(moment, field="paid_at")
    return moment


def _generic_notice(request: HttpRequest) -> NoticeIn:
    body = json_body(request)
    if not isinstance(body, dict):
        raise InvalidInput(_("the body must be a JSON object"), field="body")
    return NoticeIn(
        provider=GENERIC,
        transaction_id=_text(body, "transaction_id", TRANSACTION_ID_LIMIT),
        loan_id=_text(body, "loan_id", LOAN_ID_LIMIT),
        amount=_amount(body.get("amount")),
        paid_at=_paid_at(body.get("paid_at")),
        raw_body=request.body,
        signature=request.headers.get(SIGNATURE_HEADER, "")[:1000],
    )


def _record(incoming: NoticeIn) -> NoticeOutcome:
    """Record the notice and, when it put new money on a loan, apply what a payment posted
    through ``POST /api/v1/payments`` does the same day (the day's calls, visits and queued
    messages of a loan brought current are withdrawn), in the same transaction."""
    with transaction.atomic():
        outcome = notice_record(incoming=incoming)
        loan = outcome.notice.loan
        if outcome.posted is not None and loan is not None:
            payment_effects_apply(
                loan=loan, on=timezone.localdate(), payment_id=outcome.posted.payment_id
            )
    return outcome


def _generic(request: HttpRequest) -> HttpResponse:
    problem = _signature_problem(request)
    if problem:
        return _refused(problem)
    outcome = _record(_generic_notice(request))
    return JsonResponse({"status": "duplicate" if outcome.duplicate else "accepted"})


def _plain(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def _alipay(request: HttpRequest) -> HttpResponse:
    key_text = setting_text(ALIPAY_KEY_SETTING)
    if not key_text:
        logger.error("Alipay notice refused: %s is not set", ALIPAY_KEY_SETTING)
        return _plain("fail", 401)
    try:
        key = alipay.alipay_public_key(key_text)
    except InvalidInput as error:
        logger.error("Alipay notice refused: %s", error)
        return _plain("fail", 401)
    try:
        fields = alipay.alipay_fields(request.body)
    except InvalidInput as error:
        logger.warning("Alipay notice refused: %s", error)
        return _plain("fail", 400)
    if not alipay.alipay_verify(fields, key):
        logger.warning("Alipay notice refused: the signature does not verify")
        return _plain("fail", 401)
    app_id = setting_text(ALIPAY_APP_SETTING)
    if app_id and not hmac.compare_digest(fields.get("app_id", "").encode(), app_id.encode()):
        logger.warning("Alipay notice refused: app_id is not %s", ALIPAY_APP_SETTING)
        return _plain("fail", 401)
    try:
        notice = alipay.alipay_notice(fields)
    except InvalidInput as error:
        logger.warning("Alipay notice refused: %s", error)
        return _plain("fail", 400)
    _record(
        NoticeIn(
            provider=alipay.PROVIDER,
            transaction_id=notice.transaction_id,
            loan_id=notice.loan_id,
            amount=notice.amount,
            paid_at=notice.paid_at,
            raw_body=request.body,
            signature=fields.get("sign", "")[:1000],
            carries_money=notice.carries_money,
            not_paid="" if notice.carries_money else f"trade_status={notice.trade_status}",
        )
    )
    return _plain("success")


PROVIDERS = {GENERIC: _generic, alipay.PROVIDER: _alipay}


class NoticeAnswer(Schema):
    """The generic provider's answer; Alipay's is the plain text ``success`` or ``fail``."""

    status: Literal["accepted", "duplicate"]


def _plain_answer(word: str, meaning: str) -> dict[str, Any]:
    return {
        "description": meaning,
        "content": {"text/plain": {"schema": {"type": "string", "enum": [word]}}},
    }


# Alipay reads plain text (it sends again until it sees ``success``); the generic provider
# and the error guard answer JSON. Integer keys merge with ninja's own response entries.
_ALIPAY_ANSWERS: dict[int, dict[str, Any]] = {
    200: _plain_answer(
        "success", "accepted or duplicate (generic: JSON; alipay: the text success)"
    ),
    400: _plain_answer("fail", "a signed notice that cannot be read (alipay: the text fail)"),
    401: _plain_answer("fail", "no secret or key set, or a signature that does not verify"),
}


@router.post(
    "/{provider}",
    response={200: NoticeAnswer, **error_responses(401, 404)},
    summary="A payment provider's signed notice of a payment",
    openapi_extra={"responses": _ALIPAY_ANSWERS},
)
def notify(request: HttpRequest, provider: str) -> HttpResponse:
    """A provider's notice of money paid: ``generic`` (JSON, HMAC-SHA256 in
    ``X-Arrears-Signature``) or ``alipay`` (Alipay's form notice, RSA2). Recorded once per
    provider and transaction; posted to the loan it names, or kept for reconciliation."""
    handler = PROVIDERS.get(provider)
    if handler is None:
        return JsonResponse({"detail": _("unknown payment provider")}, status=404)
    return handler(request)
