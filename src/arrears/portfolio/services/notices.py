"""Payment notices from providers: recorded once, posted to the ledger when they find their
loan, kept for reconciliation when they do not, matched by hand later (audited).

Which creditor a notice is for: the one named by ``ARREARS_PAYMENT_WEBHOOK_CREDITOR`` (a
Django setting or, failing that, the environment), else the only creditor there is. A
notice's loan id is looked up among that creditor's loans only; an unknown or closed loan,
or no creditor to look in, leaves the notice ``unmatched`` — money that arrived is never
refused or lost, only held back from the ledger until a person decides.

Posting goes through ``payment_post`` with the payment id ``<provider>:<transaction_id>``
(``models.notices.payment_id_of``), the channel the provider's name.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.core.audit import audit_record
from arrears.core.errors import InvalidInput
from arrears.portfolio.choices import LoanStatus
from arrears.portfolio.models import (
    Creditor,
    Loan,
    NoticeReason,
    NoticeStatus,
    Payment,
    PaymentNotice,
    payment_id_of,
)
from arrears.portfolio.services.payment_post import payment_post

logger = logging.getLogger("arrears.portfolio.notices")

CREDITOR_SETTING = "ARREARS_PAYMENT_WEBHOOK_CREDITOR"
DETAIL_LIMIT = 500


@dataclass(frozen=True)
class NoticeIn:
    """A provider's notice, its signature already verified, in the ledger's units.

    ``amount`` is fen; ``paid_at`` an aware datetime; ``loan_id`` the loan id as received
    (may be empty). ``carries_money`` is False for a notice that reports no money received
    (``not_paid`` says what the provider reported instead)."""

    provider: str
    transaction_id: str
    loan_id: str
    amount: int
    paid_at: datetime
    raw_body: bytes
    signature: str = ""
    carries_money: bool = True
    not_paid: str = ""


@dataclass(frozen=True)
class NoticeOutcome:
    """What recording a notice did: the stored ``notice``; ``duplicate`` when the
    transaction was known already (nothing changed); ``posted`` the payment this call
    created in the ledger (None when none was created)."""

    notice: PaymentNotice
    duplicate: bool
    posted: Payment | None = None


def setting_text(name: str) -> str:
    """A text setting of the notices: the Django setting when defined, else the environment
    variable of the same name, else ``""``."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    return str(value).strip()


def notice_creditor() -> Creditor | None:
    """The creditor notices are for: the one ``ARREARS_PAYMENT_WEBHOOK_CREDITOR`` names, or
    the only creditor; None when the named one does not exist or there are several and
    none is named (the notice is then kept unmatched)."""
    name = setting_text(CREDITOR_SETTING)
    if name:
        creditor = Creditor.objects.filter(name=name).first()
        if creditor is None:
            logger.warning("%s names no creditor: %r", CREDITOR_SETTING, name)
        return creditor
    creditors = list(Creditor.objects.order_by("pk")[:2])
    return creditors[0] if len(creditors) == 1 else None


def business_date(at: datetime) -> date:
    """The business date a moment counts on: its day in the site's time zone
    (``settings.TIME_ZONE``), the zone every business date of the ledger is kept in."""
    return timezone.localtime(at).date()


def _hold(notice: PaymentNotice, reason: str, detail: str = "") -> None:
    notice.status = NoticeStatus.UNMATCHED
    notice.reason = reason
    notice.detail = detail[:DETAIL_LIMIT]


def _resolve(notice: PaymentNotice, incoming: NoticeIn) -> Payment | None:
    """Decide the fate of a new (or newly paid) notice row and save it; the payment created,
    if any."""
    posted: Payment | None = None
    if not incoming.carries_money:
        notice.status = NoticeStatus.REFUSED
        notice.reason = NoticeReason.NOT_PAID
        notice.detail = incoming.not_paid[:DETAIL_LIMIT]
    else:
        creditor = notice_creditor()
        notice.creditor = creditor
        loan = None
        if creditor is not None and notice.received_loan_id:
            loan = Loan.objects.filter(creditor=creditor, loan_id=notice.received_loan_id).first()
        if creditor is None:
            _hold(notice, NoticeReason.NO_CREDITOR)
        elif loan is None:
            _hold(notice, NoticeReason.UNKNOWN_LOAN)
        elif loan.status == LoanStatus.CLOSED:
            notice.loan = loan
            _hold(notice, NoticeReason.CLOSED_LOAN)
        else:
            try:
                with transaction.atomic():
                    payment, created = payment_post(
                        loan=loan,
                        payment_id=payment_id_of(notice.provider, notice.transaction_id),
                        amount=notice.amount,
                        paid_on=notice.paid_on,
                        channel=notice.provider,
                        source=f"notice:{notice.provider}",
                    )
            except InvalidInput as error:
                notice.loan = loan
                _hold(notice, NoticeReason.LEDGER_REFUSED, f"{error.field or ''}: {error}")
            else:
                notice.status, notice.reason, notice.detail = NoticeStatus.POSTED, "", ""
                notice.loan, notice.payment = loan, payment
                posted = payment if created else None
    notice.save()
    return posted


def notice_record(*, incoming: NoticeIn) -> NoticeOutcome:
    """Record a verified notice once and post it when it finds its loan.

    A transaction already recorded is a duplicate and changes nothing — except a notice
    kept as ``refused`` (no money yet, say Alipay's ``WAIT_BUYER_PAY``) that is now notified
    as paid: that one is posted now. The unique ``(provider, transaction_id)`` constraint
    decides between re-sends arriving at once (the second waits for the first to commit
    and is then a duplicate), so a transaction is posted at most once. One transaction for
    the notice, its payment, the allocations and the audit row.
    """
    paid_on = business_date(incoming.paid_at)
    with transaction.atomic():
        try:
            with transaction.atomic():
                notice = PaymentNotice.objects.create(
                    provider=incoming.provider,
                    transaction_id=incoming.transaction_id,
                    received_loan_id=incoming.loan_id,
                    amount=incoming.amount,
                    paid_at=incoming.paid_at,
                    paid_on=paid_on,
                    status=NoticeStatus.UNMATCHED,
                    raw_body=incoming.raw_body,
                    signature=incoming.signature,
                )
        except IntegrityError:
            notice = PaymentNotice.objects.select_for_update().get(
                provider=incoming.provider, transaction_id=incoming.transaction_id
            )
            if notice.status != NoticeStatus.REFUSED or not incoming.carries_money:
                return NoticeOutcome(notice=notice, duplicate=True)
            # Paid after all: the notice that carries the money becomes the evidence.
            notice.received_loan_id = incoming.loan_id
            notice.amount, notice.paid_at, notice.paid_on = (
                incoming.amount,
                incoming.paid_at,
                paid_on,
            )
            notice.raw_body, notice.signature = incoming.raw_body, incoming.signature
        posted = _resolve(notice, incoming)
    return NoticeOutcome(notice=notice, duplicate=False, posted=posted)


def notice_match(
    *, notice: PaymentNotice, loan: Loan, user: AbstractBaseUser
) -> tuple[PaymentNotice, Payment]:
    """Post an unmatched notice to ``loan`` as ``user`` decided, and mark it matched.

    The loan must be open and, when the notice's creditor is known, that creditor's (the
    caller checks that ``user`` may see the loan). Posted through ``payment_post`` under the
    notice's own payment id, so matching twice or a re-sent notice cannot count it twice;
    the match is appended to the audit chain naming who, which notice and which loan. One
    transaction; ``InvalidInput`` (naming ``notice`` or ``loan_id``, or the ledger's
    refusal) changes nothing.
    """
    with transaction.atomic():
        row = PaymentNotice.objects.select_for_update().filter(pk=notice.pk).first()
        if row is None or row.status != NoticeStatus.UNMATCHED:
            raise InvalidInput(
                _("this payment notice is no longer waiting to be matched"), field="notice"
            )
        if row.creditor_id is not None and loan.creditor_id != row.creditor_id:
            raise InvalidInput(
                _("the loan is not of the creditor the payment is for"), field="loan_id"
            )
        if loan.status == LoanStatus.CLOSED:
            raise InvalidInput(
                _("the loan is closed: refund the payment or reopen the loan first"),
                field="loan_id",
            )
        payment, _created = payment_post(
            loan=loan,
            payment_id=payment_id_of(row.provider, row.transaction_id),
            amount=row.amount,
            paid_on=row.paid_on,
            channel=row.provider,
            source="notice_match",
            by=user,
        )
        was = {"reason": row.reason, "received_loan_id": row.received_loan_id}
        row.status, row.loan, row.payment, row.creditor_id = (
            NoticeStatus.MATCHED,
            loan,
            payment,
            loan.creditor_id,
        )
        row.matched_by_id, row.matched_at = user.pk, timezone.now()
        row.save()
        audit_record(
            actor=user,
            action="payment_notice.match",
            subject_type="payment_notice",
            subject_id=row.pk,
            data={
                "provider": row.provider,
                "transaction_id": row.transaction_id,
                "loan": loan.loan_id,
                "loan_pk": loan.pk,
                "payment_id": payment.payment_id,
                "amount": row.amount,
                "paid_on": row.paid_on.isoformat(),
                **was,
            },
        )
    return row, payment
