"""Posting one payment as it arrives (API, webhook), with the tape ingest's rules.

A payment posted here is the same fact a payments file would record: the payment id is
unique per creditor, the same id with the same content is unchanged, with different content
it is refused; the amount keeps ``core.bounds``; the day is neither in the future nor before
disbursement. The loan's allocations are rebuilt in the same transaction (so the ledger
shows the money at once) and its payments version moves, so the next cycle replays the
loan from scratch (a backdated payment moves everything after it).
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.core.audit import audit_record
from arrears.core.bounds import amount_check, date_check
from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan
from arrears.portfolio.models import Creditor, Loan, Payment
from arrears.portfolio.services.allocations import allocations_rebuild
from arrears.portfolio.services.payments_ingest import loans_payments_recorded

PAYMENT_ID_LIMIT = 100
CHANNEL_LIMIT = 60


def _validate(*, loan: Loan, payment_id: str, amount: int, paid_on: date, channel: str) -> None:
    if not payment_id:
        raise InvalidInput(_("is required"), field="payment_id")
    if len(payment_id) > PAYMENT_ID_LIMIT:
        raise InvalidInput(
            _("longer than %(limit)s characters") % {"limit": PAYMENT_ID_LIMIT}, field="payment_id"
        )
    if len(channel) > CHANNEL_LIMIT:
        raise InvalidInput(
            _("longer than %(limit)s characters") % {"limit": CHANNEL_LIMIT}, field="channel"
        )
    amount_check(amount, field="amount", allow_zero=False)
    date_check(paid_on, field="paid_on")
    if paid_on > timezone.localdate():
        raise InvalidInput(_("%(day)s is in the future") % {"day": paid_on}, field="paid_on")
    if paid_on < loan.disbursed_on:
        raise InvalidInput(
            _("%(day)s is before the loan was disbursed (%(disbursed)s)")
            % {"day": paid_on, "disbursed": loan.disbursed_on},
            field="paid_on",
        )


def _refuse_different(known: Payment, payment_id: str) -> InvalidInput:
    described = _("loan %(loan)s, paid on %(day)s, %(amount)s, channel '%(channel)s'") % {
        "loan": known.loan.loan_id,
        "day": known.paid_on,
        "amount": format_yuan(known.amount),
        "channel": known.channel,
    }
    return InvalidInput(
        _("'%(payment)s' is already recorded with different content (%(known)s)")
        % {"payment": payment_id, "known": described},
        field="payment_id",
    )


def payment_post(
    *,
    loan: Loan,
    payment_id: str,
    amount: int,
    paid_on: date,
    channel: str,
    source: str = "api",
    by: AbstractBaseUser | None = None,
    received_by: Creditor | None = None,
) -> tuple[Payment, bool]:
    """Record a payment of ``amount`` fen on ``loan`` as of ``paid_on``; ``(payment, created)``.

    The same ``payment_id`` with the same content returns the stored payment and ``False``
    (nothing is written); with different content it raises ``InvalidInput`` naming
    ``payment_id``. A new payment rebuilds the loan's allocations, moves its payments
    version (the next cycle replays it) and appends ``payment.post`` to the audit chain
    naming ``source``, all in one transaction. Safe under concurrent posts of one id: the
    loan's row lock orders them, and the unique constraint catches posts of one id to two
    loans at once. ``received_by`` is the creditor whose API recorded the payment (after
    an assignment, possibly the assignor); ``None`` means the loan's own creditor.
    """
    payment_id = payment_id.strip()
    channel = channel.strip()
    _validate(loan=loan, payment_id=payment_id, amount=amount, paid_on=paid_on, channel=channel)
    with transaction.atomic():
        # The row lock serialises posts to one loan, so the lookup below sees every payment
        # committed before it and two identical posts cannot both insert.
        locked = Loan.objects.select_for_update().get(pk=loan.pk)
        known = (
            Payment.objects.select_related("loan")
            .filter(creditor_id=locked.creditor_id, payment_id=payment_id)
            .first()
        )
        if known is not None:
            if (known.loan_id, known.paid_on, known.amount, known.channel) == (
                locked.pk,
                paid_on,
                amount,
                channel,
            ):
                return known, False
            raise _refuse_different(known, payment_id)
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    creditor_id=locked.creditor_id,
                    loan=locked,
                    payment_id=payment_id,
                    paid_on=paid_on,
                    amount=amount,
                    channel=channel,
                    received_by_id=(
                        received_by.pk if received_by is not None else locked.creditor_id
                    ),
                )
        except IntegrityError:
            # The same id posted to another loan of the creditor at the same moment.
            known = Payment.objects.select_related("loan").get(
                creditor_id=locked.creditor_id, payment_id=payment_id
            )
            raise _refuse_different(known, payment_id) from None
        loans_payments_recorded(loan_ids=[locked.pk])
        allocations_rebuild(loan_ids=[locked.pk])
        audit_record(
            actor=by,
            action="payment.post",
            subject_type="loan",
            subject_id=locked.pk,
            data={
                "payment_id": payment_id,
                "paid_on": paid_on.isoformat(),
                "amount": amount,
                "channel": channel,
                "source": source,
            },
        )
    return payment, True
