"""What the legal desk keeps: matters, their events and costs, drafted documents, bundles.

Events, documents and bundles are evidence: appended, never changed (the admin shows them
read-only). A matter's own row changes only through ``legal.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.compliance.models import Hold
from arrears.core.models import BaseModel
from arrears.legal.choices import (
    CostKind,
    DocumentFormat,
    DocumentKind,
    MatterEventKind,
    MatterKind,
    MatterOutcome,
    MatterStatus,
)
from arrears.portfolio.models import Creditor, Loan


class Matter(BaseModel):
    """One road to court for a debt: a lawyer letter, a payment order, a lawsuit, a
    preservation or an enforcement, for one loan (``loan``) or for a borrower's loans together
    (``loans`` holds every loan it covers, the lead loan included).

    While open it holds the collection channels the creditor's pack names for its kind (the
    ``litigation`` hold in ``hold``), and opening it restarts the loans' limitation periods.
    """

    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="+")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="legal_matters")
    loans: models.ManyToManyField[Loan, MatterLoan] = models.ManyToManyField(
        Loan, through="MatterLoan", related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MatterKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=MatterStatus.choices, default=MatterStatus.OPEN
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=MatterOutcome.choices, default=MatterOutcome.PENDING
    )
    court = models.CharField(_("court"), max_length=200, blank=True, default="")
    case_number = models.CharField(_("court case number"), max_length=100, blank=True, default="")
    opened_on = models.DateField(_("opened on"))
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # The claim when the matter was opened, in fen (the claim calculator's total then).
    claim_amount = models.BigIntegerField(_("claim (fen)"), default=0)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("The matter this one follows (an enforcement after a lawsuit)."),
    )
    hold = models.ForeignKey(
        Hold, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True, default="")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("legal matter")
        verbose_name_plural = _("legal matters")
        indexes = [models.Index(fields=["status", "kind"], name="legal_matter_status_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class MatterLoan(models.Model):
    """A loan a matter covers (a matter against a borrower may cover several)."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="matter_loans")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["matter_id", "loan_id"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "loan"], name="legal_matter_loan_once")
        ]

    def __str__(self) -> str:
        return f"{self.matter_id}:{self.loan_id}"


class MatterEvent(BaseModel):
    """Something the court or a party did on a date (accepted, served, judgment…); the
    deadlines are computed from these. Appended, never changed."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=24, choices=MatterEventKind.choices)
    occurred_on = models.DateField(_("on"))
    # Money recovered (fen) for ``recovered``; 0 otherwise.
    amount = models.BigIntegerField(_("amount (fen)"), default=0)
    note = models.TextField(_("note"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["occurred_on", "id"]
        verbose_name = _("matter event")
        verbose_name_plural = _("matter events")


class MatterCost(BaseModel):
    """Money spent on a matter (court fee, lawyer fee, preservation…). The recoverable ones
    are claimed from the debtor as 实现债权的费用."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="costs")
    kind = models.CharField(_("kind"), max_length=20, choices=CostKind.choices)
    amount = models.BigIntegerField(_("amount (fen)"))
    incurred_on = models.DateField(_("incurred on"))
    recoverable = models.BooleanField(_("recoverable from the debtor"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["incurred_on", "id"]
        verbose_name = _("matter cost")
        verbose_name_plural = _("matter costs")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="legal_cost_positive")
        ]


class LegalDocument(BaseModel):
    """A court paper drafted for a loan (a complaint, a payment order application…): the file
    kept under ``DATA_DIR/legal/documents/`` with its SHA-256. Appended, never changed."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="+")
    matter = models.ForeignKey(
        Matter, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    format = models.CharField(_("format"), max_length=4, choices=DocumentFormat.choices)
    as_of = models.DateField(_("figures as of"))
    path = models.CharField(_("file (under the data directory)"), max_length=500)
    size = models.BigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")


class EvidenceBundle(BaseModel):
    """A zip of everything that proves a debt (证据材料), with a manifest of every file's
    SHA-256; the manifest's own hash is on the audit chain. Appended, never changed."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="+")
    matter = models.ForeignKey(
        Matter, on_delete=models.PROTECT, null=True, blank=True, related_name="bundles"
    )
    path = models.CharField(_("file (under the data directory)"), max_length=500)
    files = models.IntegerField(_("files"))
    size = models.BigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256 of the zip"), max_length=64)
    manifest_sha256 = models.CharField(_("SHA-256 of the manifest"), max_length=64)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("evidence bundle")
        verbose_name_plural = _("evidence bundles")
