"""``POST /api/v1/payments``: money that reached the lender, posted to the ledger at once.

For scripts and payment systems holding a bearer token with the scope ``payments:write``
(``arrears token create USER --scope payments:write``); a session or a token without the
scope is refused (403) before the body is read. The payment is recorded exactly as a
payments file would record it (``portfolio.services.payment_post``), the loan's
allocations are rebuilt in the same transaction, and a loan brought current stops the
day's calls, visits and queued messages at once (``outreach.payment_effects``).

Every post carries an ``Idempotency-Key``: the first answer is 201; the same key with the
same body answers the same body again with 200; the same key with another body 409. The
payment id itself is a fact too: posted again under another key with the same content it
answers 200 ``unchanged``, with other content 400.

Answers: 201/200 the payment and the loan replayed today; 400 a value the ledger refuses
(``detail`` and ``field``); 401 no credentials; 403 no scope, or a role without a
portfolio; 404 a loan outside the caller's creditors; 409 the key reused; 413 a body too
large; 422 a body that does not match the schema (``errors`` lists each problem).
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import AfterValidator, StringConstraints, WithJsonSchema

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.accounts.selectors import creditor_ids_of
from arrears.api.auth import scoped_auth
from arrears.api.errors import error_responses
from arrears.api.idempotency import KEY_HEADER, Outcome, idempotent
from arrears.api.inputs import Code100, Day, Text200, storable
from arrears.core.bounds import amount_ceiling, amount_check
from arrears.core.errors import Forbidden, InvalidInput
from arrears.core.money import format_yuan
from arrears.outreach.payment_effects import payment_effects_apply
from arrears.portfolio.calculations.allocation import LoanState
from arrears.portfolio.models import Loan, Payment
from arrears.portfolio.selectors import loan_get, loan_state
from arrears.portfolio.services import payment_post
from arrears.workbench.selectors.loans import PORTFOLIO_ROLES

PAYMENTS_WRITE = "payments:write"

router = Router(tags=["payments"])

Channel = Annotated[str, StringConstraints(max_length=60), AfterValidator(storable)]
# Read from the body's text, not from the parsed float (see ``_amount_text``); the schema
# only says what a client may send.
Amount = Annotated[
    Any,
    WithJsonSchema(
        {
            "oneOf": [{"type": "string"}, {"type": "number"}],
            "description": 'yuan, at most two decimals, above zero: "100.50" or 100.5',
            "examples": ["100.50"],
        }
    ),
]
_PLAIN_AMOUNT = re.compile(r"(?P<int>[0-9]+)(?:\.(?P<frac>[0-9]{1,2}))?")
_TOO_PRECISE = re.compile(r"-?[0-9]+\.[0-9]{3,}")
_EXPONENT = re.compile(r"-?[0-9]+(?:\.[0-9]*)?[eE][+-]?[0-9]+")
# More integer digits than this is beyond any ceiling; judged before ``int()`` so a
# megabyte of digits costs nothing.
_MAX_DIGITS = 20


class PaymentIn(Schema):
    """A payment as the lender's system knows it; ``creditor`` (by name) only when the
    loan id exists at several of the caller's creditors."""

    payment_id: Code100
    loan_id: Code100
    amount: Amount
    paid_on: Day
    channel: Channel = ""
    creditor: Text200 | None = None


class LoanNow(Schema):
    """The loan replayed today with the payment; amounts are yuan strings."""

    as_of: date
    dpd: int
    bucket: str
    overdue: str
    principal_outstanding: str
    credit_balance: str
    next_due_on: date | None


class Withdrawn(Schema):
    """Today's calls and visits, and queued messages, stopped because the loan is current."""

    work_items: int
    messages: int


class PaymentOut(Schema):
    """The payment as recorded (``posted`` now, or ``unchanged``: recorded before)."""

    payment_id: str
    loan_id: str
    creditor: str
    amount: str
    paid_on: date
    channel: str
    status: Literal["posted", "unchanged"]
    loan: LoanNow
    withdrawn: Withdrawn


class _Number(str):
    """A JSON number's literal text, as the client wrote it."""


def _amount_text(request: HttpRequest) -> object:
    """The body's ``amount`` with numbers kept as their literal text: the parsed float
    cannot tell ``1e2`` from ``100`` nor keep ``0.1`` exact. The body passed the API's
    limits and parser already (``api.body``), so this second reading cannot fail on size."""
    try:
        data = json.loads(request.body, parse_float=_Number, parse_int=_Number)
    except ValueError:
        return None
    return data.get("amount") if isinstance(data, dict) else None


def amount_fen(value: object) -> int:
    """Fen from a JSON amount in yuan (a string, or a number's literal text), or
    ``InvalidInput`` naming ``amount``: not plain digits with at most two decimals, an
    exponent, true/false, zero or less, above the ceiling."""
    if not isinstance(value, str):  # true, false, null, a list or an object
        raise InvalidInput(
            _('send the amount in yuan as a string or a number, e.g. "100.50"'),
            field="amount",
        )
    text = value.strip()
    match = _PLAIN_AMOUNT.fullmatch(text)
    if match is None:
        if _EXPONENT.fullmatch(text):
            reason = _("'%(text)s' is in exponent form: write the amount in plain digits")
        elif _TOO_PRECISE.fullmatch(text):
            reason = _("'%(text)s' has more than two decimals (fen is the smallest unit)")
        elif text.startswith("-") and _PLAIN_AMOUNT.fullmatch(text[1:]):
            reason = _("the amount must be above zero")
        else:
            reason = _("'%(text)s' is not an amount in yuan")
        raise InvalidInput(reason % {"text": text[:40]}, field="amount")
    if len(match["int"]) > _MAX_DIGITS:
        fen = amount_ceiling() + 1
    else:
        fen = int(match["int"]) * 100 + int((match["frac"] or "").ljust(2, "0"))
    return amount_check(fen, field="amount", allow_zero=False)


def _loans_for(user: User) -> QuerySet[Loan]:
    """The loans ``user`` may post payments to: all for an administrator, their creditors'
    for a portfolio role; other roles have no portfolio to post to."""
    if user.is_superuser or user.role == Role.ADMIN:
        return Loan.objects.all()
    if user.role in PORTFOLIO_ROLES:
        return Loan.objects.filter(creditor_id__in=creditor_ids_of(user))
    raise Forbidden(
        _("posting payments needs a role with creditor portfolios, or an administrator")
    )


def _answer(
    payment: Payment, loan: Loan, state: LoanState, *, created: bool, withdrawn: tuple[int, int]
) -> dict[str, Any]:
    return {
        "payment_id": payment.payment_id,
        "loan_id": loan.loan_id,
        "creditor": loan.creditor.name,
        "amount": format_yuan(payment.amount),
        "paid_on": payment.paid_on,
        "channel": payment.channel,
        "status": "posted" if created else "unchanged",
        "loan": {
            "as_of": state.as_of,
            "dpd": state.dpd,
            "bucket": state.bucket,
            "overdue": format_yuan(state.overdue.total),
            "principal_outstanding": format_yuan(state.principal_outstanding),
            "credit_balance": format_yuan(state.credit_balance),
            "next_due_on": state.next_due_on,
        },
        "withdrawn": {"work_items": withdrawn[0], "messages": withdrawn[1]},
    }


@router.post(
    "",
    auth=scoped_auth(PAYMENTS_WRITE),
    response={201: PaymentOut, 200: PaymentOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Post a payment to the ledger (token scope payments:write, Idempotency-Key)",
)
def payment_create(request: HttpRequest, body: PaymentIn) -> Any:
    """Record a payment and answer the loan as it stands today.

    201 ``posted``: recorded now, allocations rebuilt, and, if the loan is current again,
    today's calls, visits and queued messages of its case withdrawn (``withdrawn`` counts
    them). 200: the same key and body again (the first answer, with
    ``Idempotent-Replayed: true``), or the payment id already recorded with this content
    under another key (``unchanged``). Amounts in the answer are yuan strings.
    """
    user = request.user
    assert isinstance(user, User)
    if not request.headers.get(KEY_HEADER):
        raise InvalidInput(
            _("send an Idempotency-Key header (a UUID, say) so a retry cannot post twice"),
            field=KEY_HEADER,
        )
    fen = amount_fen(_amount_text(request))
    loans = _loans_for(user)
    if body.creditor:
        # By name within the caller's creditors: another creditor's loan is "not found".
        loans = loans.filter(creditor__name=body.creditor.strip())
    payment_id, loan_id, channel = (
        body.payment_id.strip(),
        body.loan_id.strip(),
        body.channel.strip(),
    )
    # What the key's request is judged by: the values as understood, so "100.5" and 100.50
    # are the same request.
    payload = {
        "payment_id": payment_id,
        "loan_id": loan_id,
        "creditor": (body.creditor or "").strip(),
        "amount_fen": fen,
        "paid_on": body.paid_on.isoformat(),
        "channel": channel,
    }

    def post() -> Outcome:
        loan = loan_get(loan_id=loan_id, loans=loans)
        payment, created = payment_post(
            loan=loan,
            payment_id=payment_id,
            amount=fen,
            paid_on=body.paid_on,
            channel=channel,
            source="api",
            by=user,
        )
        today = timezone.localdate()
        if not created:
            # Recorded before with this content: nothing new to act on.
            state = loan_state(loan, as_of=today)
            return 200, _answer(payment, loan, state, created=False, withdrawn=(0, 0))
        effects = payment_effects_apply(loan=loan, on=today, payment_id=payment.payment_id, by=user)
        withdrawn = (len(effects.work_item_ids), len(effects.message_ids))
        return 201, _answer(payment, loan, effects.state, created=True, withdrawn=withdrawn)

    return idempotent(request, payload=payload, run=post, replay_status=200, conflict_status=409)
