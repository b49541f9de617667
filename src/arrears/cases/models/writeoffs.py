"""Write-off proposals (核销申请): a case's debt proposed for write-off with the reason and
evidence, decided under the authority matrix by someone other than the proposer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.cases.models.cases import CollectionCase
from arrears.portfolio.models import Loan


class WriteOffStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved and posted")
    REJECTED = "rejected", _("Rejected")


class WriteOffProposal(models.Model):
    """A proposal to write off a case's loan: the reason, the evidence (text, and files kept
    in ``WriteOffEvidence``), the balance owed when proposed (fen) and the decision. The
    balance written off is taken again on approval, from the loan's state that day."""

    case = models.ForeignKey(
        CollectionCase, on_delete=models.PROTECT, related_name="writeoff_proposals"
    )
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="+", db_index=False)
    status = models.CharField(
        _("status"), max_length=10, choices=WriteOffStatus.choices, default=WriteOffStatus.PENDING
    )
    reason = models.TextField(_("reason"))
    evidence = models.TextField(_("evidence"), blank=True, default="")
    balance = models.BigIntegerField(_("balance when proposed (fen)"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_on = models.DateField(_("proposed on"))
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True, default="")

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("write-off proposal")
        verbose_name_plural = _("write-off proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="one_pending_writeoff"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"


class WriteOffEvidence(models.Model):
    """A file given as evidence of a write-off proposal: stored once under the data
    directory (``path``, relative), never overwritten, with its SHA-256."""

    proposal = models.ForeignKey(WriteOffProposal, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(_("file name"), max_length=200)
    path = models.CharField(_("stored at"), max_length=400)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["proposal_id", "id"]
        verbose_name = _("write-off evidence file")
        verbose_name_plural = _("write-off evidence files")

    def __str__(self) -> str:
        return self.name
