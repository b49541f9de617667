"""Settlements and waivers (减免): giving up part of what a loan owes, with approval."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.cases.choices import SettlementStatus
from arrears.cases.models.cases import CollectionCase


class Settlement(models.Model):
    """A request to waive penalty, interest, fees or principal of a loan, usually against a
    payment of the rest by a date. Approved by a role whose authority limits cover it, it is
    posted to the ledger as a waiver that settles only the waived components."""

    case = models.ForeignKey(
        CollectionCase, on_delete=models.PROTECT, related_name="settlements", db_constraint=False
    )
    loan_id = models.BigIntegerField(_("loan"))
    waive_principal = models.BigIntegerField(_("principal waived (fen)"), default=0)
    waive_interest = models.BigIntegerField(_("interest waived (fen)"), default=0)
    waive_fees = models.BigIntegerField(_("fees waived (fen)"), default=0)
    waive_penalty = models.BigIntegerField(_("penalty waived (fen)"), default=0)
    pay_amount = models.BigIntegerField(_("borrower pays (fen)"), default=0)
    pay_by = models.DateField(_("pay by"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SettlementStatus.choices,
        default=SettlementStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True, default="")
    payment_id = models.BigIntegerField(_("waiver posted as"), null=True, blank=True)
    made_on = models.DateField(_("made on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-made_on", "id"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.CheckConstraint(
                condition=Q(waive_principal__gte=0)
                & Q(waive_interest__gte=0)
                & Q(waive_fees__gte=0)
                & Q(waive_penalty__gte=0)
                & Q(pay_amount__gte=0),
                name="settlement_amounts_not_negative",
            )
        ]
        indexes = [models.Index(fields=["status", "case"], name="settlement_status_case")]

    def __str__(self) -> str:
        return f"{self.case_id} waiver {self.total_waived}"

    @property
    def total_waived(self) -> int:
        return self.waive_principal + self.waive_interest + self.waive_fees + self.waive_penalty
