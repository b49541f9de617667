"""The outbox: every message the strategy planned, queued for sending or blocked."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.cases.models import CollectionCase
from arrears.core.fields import EncryptedTextField
from arrears.outreach.choices import MessageStatus
from arrears.portfolio.models import Loan, Party


class OutboxMessage(models.Model):
    """A message to one party about one case on one channel (sms, email, letter): queued
    until its due time, or blocked by the compliance gate with every reason. The outreach
    worker renders it, marks it sending in its own transaction before calling the provider
    (so a crash leaves it ``sending``, later ``unknown``, never sent twice), and records the
    outcome; the text sent and its SHA-256 stay as evidence. No foreign-key constraints:
    written in bulk by the daily cycle.

    States while a worker has it: ``claimed`` (taken, rendered, not yet handed to a
    provider: back to ``queued`` if the worker dies) and ``sending`` (its provider request
    has started: ``unknown`` if the worker dies, settled by the provider's status query
    where there is one)."""

    case = models.ForeignKey(
        CollectionCase, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    planned_action_id = models.BigIntegerField(_("planned action"), unique=True)
    channel = models.CharField(_("channel"), max_length=10)
    purpose = models.CharField(_("purpose"), max_length=20)
    template = models.CharField(_("template"), max_length=60, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices)
    due_at = models.DateTimeField(_("due at"))
    blocked_reasons = models.JSONField(_("blocked because"), default=list)
    # Filled when the worker takes the message, in the transaction that marks it sending.
    # A phone, email or address: encrypted at rest (a raw write seals it, core.fields.seal).
    to = EncryptedTextField(_("sent to"), max_length=300, blank=True, default="")
    template_version = models.PositiveIntegerField(_("template version"), null=True, blank=True)
    body = models.TextField(_("text sent"), blank=True, default="")
    body_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_by = models.CharField(_("worker"), max_length=120, blank=True, default="")
    sending_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    provider_id = models.CharField(_("provider's id"), max_length=120, blank=True, default="")
    # The provider request that carried it, when the provider knows requests by a key of
    # ours (Aliyun's batch OutId): how a lost reply is found again by a status query.
    request_key = models.CharField(
        _("request key"), max_length=80, blank=True, default="", db_default=""
    )
    error = models.TextField(_("last error"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(fields=["status", "due_at"], name="outbox_due"),
            models.Index(fields=["provider_id"], name="outbox_provider_id"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.party_id} {self.status}"
