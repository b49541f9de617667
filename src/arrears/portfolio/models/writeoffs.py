"""Written-off debts (核销) and the party blacklist (黑名单): records of the ledger that the
collection side's decisions post."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.portfolio.models.loans import Loan
from arrears.portfolio.models.parties import Party


class WriteOff(models.Model):
    """A loan written off the lender's books on ``written_off_on`` (账销案存): what of each
    component was still owed that day, in fen. The debt is still owed and collected; money
    received afterwards is a post-write-off recovery. One per loan, never edited."""

    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, related_name="write_off")
    written_off_on = models.DateField(_("written off on"))
    principal = models.BigIntegerField(_("principal written off (fen)"))
    interest = models.BigIntegerField(_("interest written off (fen)"))
    fees = models.BigIntegerField(_("fees written off (fen)"))
    penalty = models.BigIntegerField(_("penalty written off (fen)"))
    # The collection side's approved proposal (cases.WriteOffProposal); a plain id because
    # the ledger sits below the cases app.
    proposal_id = models.BigIntegerField(_("proposal"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-written_off_on", "loan_id"]
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")

    def __str__(self) -> str:
        return f"{self.loan_id} {self.written_off_on}"

    @property
    def total(self) -> int:
        """Everything written off, in fen."""
        return self.principal + self.interest + self.fees + self.penalty


class BlacklistStatus(models.TextChoices):
    PENDING = "pending", _("Proposed")
    LISTED = "listed", _("Listed")
    REJECTED = "rejected", _("Rejected")
    DELISTED = "delisted", _("Delisted")


class BlacklistEntry(models.Model):
    """One listing of a party on the blacklist (黑名单), from proposal to decision and, maybe,
    delisting: reason, proposer, approver (never the proposer), who delisted and why. Rows
    are never deleted; a party listed again gets a new row, so the history stays whole."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="blacklist_entries")
    status = models.CharField(
        _("status"), max_length=10, choices=BlacklistStatus.choices, default=BlacklistStatus.PENDING
    )
    reason = models.TextField(_("reason"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True, default="")
    delisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    delisted_at = models.DateTimeField(_("delisted at"), null=True, blank=True)
    delist_reason = models.TextField(_("reason for delisting"), blank=True, default="")

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist")
        constraints = [
            # A party is proposed or listed at most once at a time.
            models.UniqueConstraint(
                fields=["party"],
                condition=Q(status__in=["pending", "listed"]),
                name="blacklist_one_live_entry_per_party",
            )
        ]

    def __str__(self) -> str:
        return f"{self.party_id} {self.status}"
