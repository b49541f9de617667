"""Payment notices: what a payment provider told Arrears about money a borrower paid."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from arrears.core.models import BaseModel
from arrears.portfolio.models.loans import Loan
from arrears.portfolio.models.money import Payment
from arrears.portfolio.models.parties import Creditor


class NoticeStatus(TextChoices):
    """What became of a payment notice."""

    POSTED = "posted", _("Posted")
    UNMATCHED = "unmatched", _("Unmatched")
    MATCHED = "matched", _("Matched by hand")
    REFUSED = "refused", _("Not a payment")


class NoticeReason(TextChoices):
    """Why a notice was not posted (kept as a code so every reader sees it in their language;
    ``PaymentNotice.detail`` carries the particulars)."""

    NONE = "", _("None")
    UNKNOWN_LOAN = "unknown_loan", _("No loan of the creditor has this loan id")
    CLOSED_LOAN = "closed_loan", _("The loan is closed")
    NO_CREDITOR = "no_creditor", _("No creditor is set for payment notices")
    LEDGER_REFUSED = "ledger_refused", _("The ledger refused the payment")
    NOT_PAID = "not_paid", _("The provider reports no money received")


class PaymentNotice(BaseModel):
    """One transaction a payment provider (Alipay, a generic gateway) notified, as received.

    Kept whatever became of it: a notice that found its loan became a ``Payment``
    (``posted``); one whose loan is unknown or closed waits for a person to match it by hand
    (``unmatched`` → ``matched``, audited); one that carries no money (Alipay's
    ``WAIT_BUYER_PAY``, ``TRADE_CLOSED``) is acknowledged and kept as ``refused`` — and
    posted after all when the same transaction is notified again as paid. ``reason`` says
    why a notice is not posted, ``detail`` the particulars (the ledger's refusal, the
    provider's trade status).

    ``(provider, transaction_id)`` is unique in the database: providers re-send a notice
    until they see it acknowledged, and two re-sends arriving at once make one row, so one
    transaction is posted once. A notice becomes the payment ``<provider>:<transaction_id>``
    (``alipay:2026120622001…``); a payments file that reports the same transaction under the
    same id (and the same loan, day, amount and channel) is unchanged, never counted twice.

    ``received_loan_id`` is the loan id exactly as the provider sent it (it may name no loan);
    ``loan`` is the loan it was posted to. ``raw_body`` keeps the signed bytes as received,
    so the signature can be checked again as evidence; ``created_at`` is when it arrived.
    """

    provider = models.CharField(_("provider"), max_length=20)
    transaction_id = models.CharField(_("transaction id"), max_length=64)
    creditor = models.ForeignKey(
        Creditor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_notices",
        db_index=False,
    )
    received_loan_id = models.CharField(_("loan id as received"), max_length=100, blank=True)
    loan = models.ForeignKey(
        Loan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_notices",
        db_index=False,
    )
    amount = models.BigIntegerField(_("amount (fen)"))
    paid_at = models.DateTimeField(_("paid at"))
    paid_on = models.DateField(_("paid on"))
    status = models.CharField(_("status"), max_length=10, choices=NoticeStatus.choices)
    reason = models.CharField(
        _("reason"), max_length=20, choices=NoticeReason.choices, blank=True, default=""
    )
    detail = models.CharField(_("detail"), max_length=500, blank=True, default="")
    raw_body = models.BinaryField(_("raw body"))
    signature = models.CharField(_("signature"), max_length=1000, blank=True, default="")
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        db_index=False,
    )
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("matched by"),
    )
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment notice")
        verbose_name_plural = _("payment notices")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "transaction_id"], name="payment_notice_once"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="payment_notice_amount_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "creditor"], name="payment_notice_status"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.transaction_id}"


def payment_id_of(provider: str, transaction_id: str) -> str:
    """The ledger's payment id for a provider's transaction (``alipay:2026120622001…``).

    Derived, never random, so the same transaction arriving again (a re-sent notice, a
    payments file line, a hand match) lands on the same payment id and cannot be counted
    twice."""
    return f"{provider}:{transaction_id}"
