"""Fixed vocabularies of the daily cycle (GLOSSARY.md code names)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class PartitionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CLAIMED = "claimed", _("Claimed")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# The steps of a cycle day, in the order each partition runs them.
STEPS: tuple[str, ...] = (
    "post_payments",
    "accrue",
    "loan_state",
    "classify",
    "limitation",
    "cases",
    "commitments",
    "score",
    "unreachable",
    "plan",
    "outbox",
    "history",
    "rolls",
    "placements",
)
