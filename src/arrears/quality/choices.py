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


# The compliance linter's phrase categories (``compliance/data/template_phrases.json``) as a
# reviewer reads them; a category added to that data later shows its code until named here.
FLAG_CATEGORIES = {
    "threat_of_arrest": _("Threat of arrest or criminal action"),
    "threat_of_harm": _("Threat of harm or intimidation"),
    "exposure": _("Threat to expose the debtor"),
    "false_legal": _("Imitates court or police papers"),
    "insult": _("Insult or shaming"),
}
