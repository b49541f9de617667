"""The guarantee app's tables (pay-outs and their recourse claims)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.core.models import BaseModel
from arrears.portfolio.models import Creditor, Loan, Party, Payment


class Payout(BaseModel):
    """A guarantee company's pay-out (代偿): it paid ``amount`` fen of the lender's ``loan``
    on ``paid_on`` and now holds the recourse claim (追偿) ``claim``, a loan of its own.

    The link both ways: from the lender's loan to the claim (``loan.payout``) and back
    (``claim.recourse_of``). One per loan: a loan is paid out once, after which it is
    ``compensated``. The evidence (the bank's receipt, the transfer voucher) is kept as a
    text and, when a file was given, its stored path and SHA-256.
    """

    loan = models.OneToOneField(
        Loan, on_delete=models.PROTECT, related_name="payout", verbose_name=_("loan")
    )
    claim = models.OneToOneField(
        Loan, on_delete=models.PROTECT, related_name="recourse_of", verbose_name=_("claim")
    )
    guarantor = models.ForeignKey(
        Creditor,
        on_delete=models.PROTECT,
        related_name="payouts",
        verbose_name=_("guarantee company"),
    )
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="+", verbose_name=_("payment")
    )
    amount = models.BigIntegerField(_("amount paid out (fen)"))
    paid_on = models.DateField(_("paid out on"))
    evidence = models.TextField(_("evidence"), blank=True, default="")
    evidence_path = models.CharField(_("evidence file"), max_length=300, blank=True, default="")
    evidence_sha256 = models.CharField(_("evidence SHA-256"), max_length=64, blank=True, default="")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["guarantor_id", "paid_on", "id"]
        verbose_name = _("guarantee pay-out")
        verbose_name_plural = _("guarantee pay-outs")
        indexes = [models.Index(fields=["guarantor", "paid_on"], name="payout_guarantor_day")]

    def __str__(self) -> str:
        return f"{self.loan} → {self.claim}"


class RecoveryPayer(BaseModel):
    """Who paid a recovery on a recourse claim, when the person recording it said so.

    Payments carry no payer (a tape or a bank notice says which loan, not who paid), so
    the guarantee company's report can attribute money to counter-guarantors only where a
    recovery was recorded with its payer (``arrears guarantee recover … --payer``); every
    other payment on a claim counts as unattributed.
    """

    payment = models.OneToOneField(
        Payment, on_delete=models.CASCADE, related_name="+", verbose_name=_("payment")
    )
    payout = models.ForeignKey(
        Payout, on_delete=models.CASCADE, related_name="payers", verbose_name=_("pay-out")
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("payer")
    )
    role = models.CharField(_("role"), max_length=20)

    class Meta:
        ordering = ["payout_id", "id"]
        verbose_name = _("recovery payer")
        verbose_name_plural = _("recovery payers")

    def __str__(self) -> str:
        return f"{self.payment_id} · {self.role}"
