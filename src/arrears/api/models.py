"""What the API keeps: the answers to requests made with an ``Idempotency-Key``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotentRequest(models.Model):
    """A POST that created something, made with an ``Idempotency-Key``, and its answer.

    A client that did not hear the answer (a timeout, a dropped connection) sends the same
    request with the same key again and gets this answer back instead of a second promise
    or contact. One row per (user, key); ``request_sha256`` is the hash of the method, the
    path and the body, so the same key with another request is refused. Rows are kept for
    ``ARREARS_IDEMPOTENCY_TTL_HOURS`` (24 h) and purged after (``arrears.api.idempotency``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    request_sha256 = models.CharField(_("request SHA-256"), max_length=64)
    status = models.PositiveSmallIntegerField(_("HTTP status"))
    response = models.TextField(_("response (JSON)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotent_user_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="api_idempotent_created")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
