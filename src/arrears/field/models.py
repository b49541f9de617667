"""Field visits (外访) with their staff and evidence, and the history of skip tracing (查找):
what happened to each contact point and each change of a party's employer.

Every row here is evidence: appended, never changed. Foreign keys to the ledger and the
cases carry no database constraint where the row is a journal (DESIGN: no trigger per
insert on journals), but the columns still name the rows they belong to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.cases.models import Activity, CollectionCase
from arrears.field.choices import ContactEventKind, ContactSource, VisitOutcome
from arrears.portfolio.models import ContactPoint, Party


class Visit(models.Model):
    """A visit to a debtor's address by two or more staff (外访): who went, where, from when
    to when, what they found, and the activity the compliance gate allowed for it.

    ``by`` is the person who recorded it (one of the staff); ``colleagues`` the others who
    went. The address is one of the party's contact points (a new one typed in on the visit
    is added first, with its source). ``activity`` is the sealed contact record on the case.
    """

    case = models.ForeignKey(
        CollectionCase, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    address = models.ForeignKey(
        ContactPoint, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    activity = models.OneToOneField(
        Activity, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    colleagues = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("colleagues")
    )
    arrived_at = models.DateTimeField(_("time in"))
    left_at = models.DateTimeField(_("time out"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=VisitOutcome.choices)
    notes = models.TextField(_("notes"), blank=True, default="")
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-arrived_at", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["case", "arrived_at"], name="visit_case_at")]

    def __str__(self) -> str:
        return f"visit {self.pk} case {self.case_id} {self.arrived_at:%Y-%m-%d %H:%M}"


class VisitEvidence(models.Model):
    """A photo or PDF kept as evidence of a visit: stored beside the database under a name
    never used before (never overwritten), with its SHA-256, size and type as checked."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="evidence")
    name = models.CharField(_("file name"), max_length=200)
    path = models.CharField(_("stored at"), max_length=400, unique=True)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["visit_id", "id"]
        verbose_name = _("visit evidence")
        verbose_name_plural = _("visit evidence")

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"


class ContactPointEvent(models.Model):
    """One step in a contact point's history: added (with its source), verified or
    invalidated, by whom, when, from which status to which, and why."""

    contact_point = models.ForeignKey(
        ContactPoint, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    case = models.ForeignKey(
        CollectionCase,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        null=True,
        blank=True,
    )
    kind = models.CharField(_("event"), max_length=12, choices=ContactEventKind.choices)
    from_status = models.CharField(_("from"), max_length=12, blank=True, default="")
    to_status = models.CharField(_("to"), max_length=12)
    reason = models.CharField(_("reason"), max_length=400, blank=True, default="")
    source = models.CharField(
        _("source"), max_length=20, choices=ContactSource.choices, blank=True, default=""
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        null=True,
        blank=True,
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["contact_point_id", "at", "id"]
        verbose_name = _("contact point event")
        verbose_name_plural = _("contact point events")
        indexes = [models.Index(fields=["party", "at"], name="contact_event_party")]

    def __str__(self) -> str:
        return f"{self.contact_point_id} {self.kind} {self.from_status}→{self.to_status}"


class EmployerChange(models.Model):
    """A party's employer as skip tracing found it: the old and new names, the source, who
    and when. ``Party.employer`` holds the latest; these rows keep every earlier one."""

    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    case = models.ForeignKey(
        CollectionCase,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        null=True,
        blank=True,
    )
    previous = models.CharField(_("previous employer"), max_length=200, blank=True, default="")
    employer = models.CharField(_("employer"), max_length=200)
    source = models.CharField(_("source"), max_length=20, choices=ContactSource.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["party_id", "at", "id"]
        verbose_name = _("employer change")
        verbose_name_plural = _("employer changes")

    def __str__(self) -> str:
        return f"{self.party_id}: {self.previous} → {self.employer}"
