"""People who use Arrears and the API tokens their scripts use."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.accounts.choices import AllocationMethod, Role
from arrears.core.models import BaseModel
from arrears.portfolio.models import Creditor


class Team(BaseModel):
    """A group of collectors working one creditor's cases in some buckets (e.g. the M1 team).

    New and escalated cases of ``creditor`` whose bucket is in ``buckets`` are shared among
    the team's active collectors by ``allocation_method``, never beyond each one's capacity.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="teams")
    buckets = models.CharField(
        _("buckets"),
        max_length=60,
        help_text=_("comma-separated buckets this team works, e.g. M1 or M2,M3"),
    )
    allocation_method = models.CharField(
        _("allocation method"),
        max_length=20,
        choices=AllocationMethod.choices,
        default=AllocationMethod.ROUND_ROBIN,
    )
    same_borrower_same_collector = models.BooleanField(
        _("same borrower, same collector"), default=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    def bucket_list(self) -> list[str]:
        return [b.strip() for b in self.buckets.split(",") if b.strip()]


class User(AbstractUser):
    """A person who signs in, in one role: collector, field agent, team lead, manager, legal
    officer, compliance auditor or administrator.

    A collector or field agent works the cases assigned to them (and their team's unassigned
    pool); a team lead their team; a manager the portfolios of ``creditors``.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.COLLECTOR)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    capacity = models.PositiveIntegerField(
        _("case capacity"), default=400, help_text=_("most open cases allocation gives them")
    )
    creditors = models.ManyToManyField(
        Creditor,
        blank=True,
        related_name="managers",
        verbose_name=_("creditor portfolios"),
        help_text=_("the portfolios a manager oversees"),
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")


class ApiToken(BaseModel):
    """A bearer token for the REST API, stored only as its SHA-256 so a leaked table is useless."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    @staticmethod
    def hash_token(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class AuditEntry(models.Model):
    """One act recorded in the audit log: a change of money, assignment, hold, plan or
    settlement, or a reveal of personal data — who, when, what, on which record.

    Appended, never changed. Each entry's ``hash`` is the SHA-256 of the previous entry's hash
    and this entry's content, so editing or deleting any entry breaks the chain from there on
    (``arrears audit verify`` finds where).
    """

    number = models.BigIntegerField(_("number in the chain"), unique=True)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True, default="")
    action = models.CharField(_("action"), max_length=60)
    subject_type = models.CharField(_("subject type"), max_length=60)
    subject_id = models.CharField(_("subject id"), max_length=60)
    data = models.JSONField(_("data"), default=dict)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="audit_subject")]

    def __str__(self) -> str:
        return f"#{self.number} {self.action} {self.subject_type}:{self.subject_id}"


class AuditHead(models.Model):
    """The single row holding the audit chain's latest hash; writers lock it, so entries are
    chained one after another even when many people act at once."""

    last_hash = models.CharField(_("last hash"), max_length=64)
    count = models.BigIntegerField(_("entries"), default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return self.last_hash
