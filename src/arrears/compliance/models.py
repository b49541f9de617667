"""What the compliance gate keeps: each creditor's policy, holds, contacts and refusals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.compliance.choices import Channel, HoldKind, Outcome, Pack
from arrears.compliance.rules import DEFAULT_PACK, DEFAULT_TIME_ZONE
from arrears.core.fields import EncryptedTextField
from arrears.core.models import BaseModel
from arrears.portfolio.models import Creditor, Loan, Party


class CompliancePolicy(BaseModel):
    """A creditor's choice of policy pack, the debtors' default time zone, caps stricter
    than the pack's (a cap may only be lowered: the pack is the legal floor), and whether
    Chinese public holidays are quiet days."""

    creditor = models.OneToOneField(
        Creditor, on_delete=models.CASCADE, related_name="compliance_policy"
    )
    pack = models.CharField(
        _("policy pack"), max_length=10, choices=Pack.choices, default=DEFAULT_PACK
    )
    time_zone = models.CharField(_("debtors' time zone"), max_length=60, default=DEFAULT_TIME_ZONE)
    conversations_per_day = models.PositiveSmallIntegerField(
        _("conversations a day (stricter)"), null=True, blank=True
    )
    attempts_per_number_per_day = models.PositiveSmallIntegerField(
        _("attempts a day to one number (stricter)"), null=True, blank=True
    )
    quiet_public_holidays = models.BooleanField(
        _("no contact on Chinese public holidays"),
        default=False,
        help_text=_(
            "No call, SMS, email or visit on the statutory public holidays (法定节假日) in the"
            " official arrangement; letters and the legal channel are not affected."
        ),
    )

    class Meta:
        verbose_name = _("compliance policy")
        verbose_name_plural = _("compliance policies")

    def __str__(self) -> str:
        return f"{self.creditor} · {self.pack}"


class Hold(BaseModel):
    """Stops contact with a party (or about a loan) until lifted: who, why, since when.

    Dispute, complaint, representation, bankruptcy and death stop every channel; a filed
    lawsuit leaves only the legal channel; an opt-out closes ``channel``.
    """

    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=HoldKind.choices)
    channel = models.CharField(
        _("channel (opt-out)"), max_length=10, choices=Channel.choices, blank=True, default=""
    )
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [
            models.CheckConstraint(
                condition=Q(party__isnull=False) | Q(loan__isnull=False), name="hold_has_subject"
            ),
            models.CheckConstraint(
                condition=~Q(kind="opt_out") | ~Q(channel=""), name="opt_out_names_channel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.party or self.loan}"


class ContactAttempt(models.Model):
    """A contact made or attempted, by anyone collecting for the creditor (its own team or an
    agency): what the gate counts. Evidence: appended, never changed. No foreign-key
    constraints (a journal; see DESIGN.md performance notes)."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="contact_attempts", db_constraint=False
    )
    role = models.CharField(_("role"), max_length=20)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Encrypted at rest; the gate compares numbers after reading (a raw write seals it,
    # core.fields.seal).
    number = EncryptedTextField(_("number or address"), max_length=300, blank=True, default="")
    at = models.DateTimeField(_("at"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    by = models.CharField(_("made by"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["party_id", "at"]
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        indexes = [models.Index(fields=["party", "at"], name="contact_attempt_party_at")]

    def __str__(self) -> str:
        return f"{self.party_id} {self.channel} {self.at:%Y-%m-%d %H:%M}"


class ContactRefusal(models.Model):
    """A contact the gate refused, with every reason and when it would next be allowed."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    role = models.CharField(_("role"), max_length=20)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=40, blank=True, default="")
    at = models.DateTimeField(_("proposed for"))
    reasons = models.JSONField(_("reasons"))
    next_allowed_at = models.DateTimeField(_("next allowed at"), null=True, blank=True)
    asked_by = models.CharField(_("asked by"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("refused at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contact refusal")
        verbose_name_plural = _("contact refusals")

    def __str__(self) -> str:
        return f"{self.party_id} {self.channel} {self.at:%Y-%m-%d %H:%M}"
