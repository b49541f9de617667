"""Money against a loan: payments, how each was allocated (冲账), and waivers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.core.models import BaseModel
from arrears.portfolio.models.loans import Installment, Loan
from arrears.portfolio.models.parties import Creditor


class Payment(BaseModel):
    """Money received from a borrower (还款), identified by the creditor's transaction id.

    Payments are facts: a payment id seen again with different content is rejected, never
    overwritten. ``paid_on`` is the business date the money counts on.
    """

    # Both indexed by composite indexes that start with them (see Meta).
    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    payment_id = models.CharField(_("payment id"), max_length=100)
    paid_on = models.DateField(_("paid on"))
    amount = models.BigIntegerField(_("amount (fen)"))
    channel = models.CharField(_("channel"), max_length=60, blank=True, default="")
    # The creditor whose tape or API recorded the payment: after an assignment the assignor
    # may still receive money it must pass on. NULL for payments recorded before this was
    # kept. Not indexed: read with the loan's payments, never searched by.
    received_by = models.ForeignKey(
        Creditor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("received by"),
    )

    class Meta:
        ordering = ["loan_id", "paid_on", "payment_id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "payment_id"], name="payment_id_per_creditor"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["loan", "paid_on"], name="payment_loan_paid_on")]

    def __str__(self) -> str:
        return self.payment_id


class Allocation(models.Model):
    """How much of a payment settled which component of which installment, and on which day.

    Rebuilt by replay for a loan whenever its payments change (a backdated payment moves
    later allocations). ``applied_on`` is the payment day, or the due date when money held
    as credit settled a later installment. A journal table: foreign keys are not enforced in
    the database (each one costs a trigger and a parent-row lock per insert on PostgreSQL).
    """

    loan = models.ForeignKey(
        Loan, on_delete=models.CASCADE, related_name="allocations", db_constraint=False
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, related_name="allocations", db_constraint=False
    )
    installment = models.ForeignKey(
        Installment, on_delete=models.CASCADE, related_name="allocations", db_constraint=False
    )
    applied_on = models.DateField(_("applied on"))
    principal = models.BigIntegerField(_("principal (fen)"), default=0)
    interest = models.BigIntegerField(_("interest (fen)"), default=0)
    fees = models.BigIntegerField(_("fees (fen)"), default=0)
    penalty = models.BigIntegerField(_("penalty (fen)"), default=0)

    class Meta:
        ordering = ["loan_id", "applied_on", "id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.installment_id}"


class Waiver(models.Model):
    """Part of what a loan owes that the creditor gave up (减免), by component, as of a
    business date: the ledger side of an approved settlement.

    Not money received: the replay lowers only the named components of what is outstanding
    on ``waived_on`` (overdue installments first, oldest first, then principal not yet due),
    never below zero, and never counts a waiver as collected. Appended, never changed: a
    waiver given in error is answered by a new settlement, not an edit. Recording one bumps
    the loan's ``payments_version`` so the next cycle replays the loan.
    """

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="waivers", db_index=False)
    reference = models.CharField(
        _("reference"), max_length=100, unique=True, help_text=_("e.g. the settlement number")
    )
    settlement_id = models.BigIntegerField(_("settlement"), null=True, blank=True)
    waived_on = models.DateField(_("waived on"))
    principal = models.BigIntegerField(_("principal waived (fen)"), default=0)
    interest = models.BigIntegerField(_("interest waived (fen)"), default=0)
    fees = models.BigIntegerField(_("fees waived (fen)"), default=0)
    penalty = models.BigIntegerField(_("penalty waived (fen)"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["loan_id", "waived_on", "id"]
        verbose_name = _("waiver")
        verbose_name_plural = _("waivers")
        constraints = [
            models.CheckConstraint(
                condition=Q(principal__gte=0)
                & Q(interest__gte=0)
                & Q(fees__gte=0)
                & Q(penalty__gte=0)
                & (Q(principal__gt=0) | Q(interest__gt=0) | Q(fees__gt=0) | Q(penalty__gt=0)),
                name="waiver_amounts_positive",
            )
        ]
        indexes = [models.Index(fields=["loan", "waived_on"], name="waiver_loan_waived_on")]

    def __str__(self) -> str:
        return f"{self.reference} ({self.loan_id})"

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.fees + self.penalty
