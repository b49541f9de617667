"""Shared model base: every business row knows when it was created and last changed."""

from __future__ import annotations

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
