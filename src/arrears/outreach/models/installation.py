"""This installation's identity towards providers."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_installation_key() -> str:
    """Eight random hex digits: a new one for every database built."""
    return secrets.token_hex(4)


class Installation(models.Model):
    """The one row naming this database among every Arrears that may share a provider:
    created with the database (its migration), never copied from another one, so the
    idempotency keys sent to providers (``arrears-<key>-<message id>``) of a rebuilt
    database or of a second installation never repeat this one's."""

    key = models.CharField(_("installation key"), max_length=16, default=new_installation_key)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("installation")
        verbose_name_plural = _("installation")

    def __str__(self) -> str:
        return self.key

    @classmethod
    def current_key(cls) -> str:
        """This database's key (made on first use if the row is missing, as after a flush)."""
        row, _created = cls.objects.get_or_create(pk=1)
        return row.key
