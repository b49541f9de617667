"""Promises to pay (承诺还款) and whether they were kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.cases.choices import PromiseStatus
from arrears.cases.models.cases import CollectionCase


class Promise(models.Model):
    """A party's promise to pay ``amount`` on the loan by ``due_on``.

    The daily cycle judges it: kept once the payments received since it was made reach the
    amount by ``due_on`` plus ``tolerance_days``; broken the day after that if they do not.
    Broken promises head the collector's queue.
    """

    case = models.ForeignKey(
        CollectionCase, on_delete=models.PROTECT, related_name="promises", db_constraint=False
    )
    loan_id = models.BigIntegerField(_("loan"))
    party_id = models.BigIntegerField(_("party"))
    amount = models.BigIntegerField(_("amount (fen)"))
    made_on = models.DateField(_("made on"))
    due_on = models.DateField(_("due on"))
    tolerance_days = models.PositiveSmallIntegerField(_("tolerance (days)"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=PromiseStatus.choices, default=PromiseStatus.OPEN
    )
    paid = models.BigIntegerField(_("paid towards it (fen)"), default=0)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    activity_id = models.BigIntegerField(_("activity"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="promise_amount_positive")
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="promise_status_due"),
            models.Index(fields=["case", "status"], name="promise_case_status"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.amount} by {self.due_on}"
