"""What collectors did on a case: contacts made or attempted, with what came of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.cases.choices import ContactOutcome, DelinquencyReason, PartyReached
from arrears.cases.models.cases import CollectionCase
from arrears.compliance.choices import Channel
from arrears.portfolio.models import ContactPoint, Party


class Activity(models.Model):
    """A contact a person recorded on a case (催记): channel, whom they reached, what came of
    it, why the borrower is behind, notes and the next follow-up.

    Evidence: appended, never changed, and sealed with the SHA-256 of its content. The
    compliance gate judged it before it was recorded; ``attempt_id`` is the contact the gate
    now counts.
    """

    case = models.ForeignKey(
        CollectionCase, on_delete=models.PROTECT, related_name="activities", db_constraint=False
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    contact_point = models.ForeignKey(
        ContactPoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    party_reached = models.CharField(
        _("party reached"), max_length=20, choices=PartyReached.choices
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=ContactOutcome.choices)
    reason = models.CharField(
        _("reason for delinquency"),
        max_length=30,
        choices=DelinquencyReason.choices,
        blank=True,
        default="",
    )
    notes = models.TextField(_("notes"), blank=True, default="")
    next_follow_up_at = models.DateTimeField(_("next follow-up"), null=True, blank=True)
    attempt_id = models.BigIntegerField(_("contact attempt"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    at = models.DateTimeField(_("at"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["case_id", "-at", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["case", "at"], name="activity_case_at"),
            models.Index(fields=["by", "at"], name="activity_by_at"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.channel} {self.outcome} {self.at:%Y-%m-%d %H:%M}"
