"""Collection cases (催收案件): opened when a loan goes overdue, closed when it is cured."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.cases.choices import CaseStatus, CloseReason
from arrears.core.models import BaseModel
from arrears.portfolio.models import Creditor, Loan


class CollectionCase(BaseModel):
    """One episode of delinquency of a loan, from the day it crossed the case threshold.

    The daily cycle opens it, keeps ``current_dpd``, ``bucket`` and ``worst_dpd`` up to
    date, and closes it as cured when the loan's DPD returns to 0. A loan has at most one
    open case.
    """

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="cases")
    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    opened_on = models.DateField(_("opened on"))
    entry_dpd = models.PositiveIntegerField(_("DPD at entry"))
    entry_amount = models.BigIntegerField(_("overdue amount at entry (fen)"))
    current_dpd = models.PositiveIntegerField(_("current DPD"))
    bucket = models.CharField(_("bucket"), max_length=3)
    worst_dpd = models.PositiveIntegerField(_("worst DPD"))
    updated_on = models.DateField(_("updated on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(
        _("close reason"), max_length=20, choices=CloseReason.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["-opened_on", "id"]
        verbose_name = _("collection case")
        verbose_name_plural = _("collection cases")
        constraints = [
            models.UniqueConstraint(
                fields=["loan"], condition=Q(status="open"), name="one_open_case_per_loan"
            ),
            models.UniqueConstraint(fields=["loan", "opened_on"], name="case_opened_once_a_day"),
        ]
        indexes = [models.Index(fields=["status", "bucket"], name="case_status_bucket")]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.opened_on}"


class CaseBucketSpell(models.Model):
    """A stretch of days a case spent in one bucket (entered on, left on); roll rates read
    these. ``left_on`` is the first day in the next bucket, empty while still in it."""

    case = models.ForeignKey(CollectionCase, on_delete=models.CASCADE, related_name="spells")
    bucket = models.CharField(_("bucket"), max_length=3)
    entered_on = models.DateField(_("entered on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["case_id", "entered_on"]
        verbose_name = _("bucket spell")
        verbose_name_plural = _("bucket spells")
        constraints = [
            models.UniqueConstraint(fields=["case", "entered_on"], name="spell_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.bucket} {self.entered_on}"
