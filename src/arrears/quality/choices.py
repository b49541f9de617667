"""Choices of call recordings and quality review."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordingSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded file")
    URL = "url", _("Kept by the dialer (URL)")


class Answer(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")
