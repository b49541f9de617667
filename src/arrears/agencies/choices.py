"""Fixed vocabularies of agency placement (GLOSSARY.md code names)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommissionBasis(models.TextChoices):
    """How a contract prices the agency's work."""

    BUCKET = "bucket", _("By bucket at placement")
    RECOVERED = "recovered", _("By recovered-amount tiers")


class PlacementStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RECALLED = "recalled", _("Recalled")
    ENDED = "ended", _("Ended")


class RecallReason(models.TextChoices):
    END_OF_TERM = "end_of_term", _("End of term")
    BREACH = "breach", _("Breach")
    PAID = "paid", _("Paid or closed")
    MANUAL = "manual", _("Recalled by hand")
