"""Shared model base (every business row knows when it was created and last changed) and
the hash-chained audit log every app writes to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Abstract base: ``created_at`` and ``updated_at`` wall-clock stamps on every row.

    These stamp events only; business dates (due dates, payment dates) are separate fields.
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One act recorded in the audit log: a change of money, assignment, hold, plan or
    settlement, or a reveal of personal data — who, when, what, on which record.

    Appended, never changed. Each entry's ``hash`` is the HMAC-SHA256, under the audit key
    named by ``key_id`` (kept outside the database), of the previous entry's hash and this
    entry's content, so editing or deleting any entry breaks the chain from there on and
    cannot be hidden by recomputing the later hashes (``arrears audit verify`` finds where;
    ``arrears audit anchor`` keeps the head outside the database). Entries written before
    the key existed have an empty ``key_id`` and a plain SHA-256 (``core.audit_chain``).
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
    key_id = models.CharField(_("key id"), max_length=16, blank=True, default="")

    class Meta:
        db_table = "accounts_auditentry"
        ordering = ["number"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="audit_subject")]

    def __str__(self) -> str:
        return f"#{self.number} {self.action} {self.subject_type}:{self.subject_id}"


class AuditHead(models.Model):
    """The single row holding the audit chain's latest hash; writers lock it, so entries are
    chained one after another even when many people act at once. ``legacy_count`` is how many
    entries were written unkeyed, before the upgrade that brought the audit key."""

    last_hash = models.CharField(_("last hash"), max_length=64)
    count = models.BigIntegerField(_("entries"), default=0)
    legacy_count = models.BigIntegerField(_("unkeyed entries"), default=0)

    class Meta:
        db_table = "accounts_audithead"
        ordering = ["id"]
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return self.last_hash
