"""Who works a case, and every change of it (分案 history)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.accounts.models import Team
from arrears.cases.choices import AssignmentRule
from arrears.cases.models.cases import CollectionCase


class CaseAssignment(models.Model):
    """One assignment or reassignment of a case: to which team and collector, by which rule
    (or by whom, with a reason). Appended, never changed: the case's current team and
    assignee are on the case; this is how they got there. Written in bulk by assignment, so
    no foreign-key constraints."""

    case = models.ForeignKey(
        CollectionCase, on_delete=models.PROTECT, related_name="assignments", db_constraint=False
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, related_name="+", db_constraint=False
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    previous_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    rule = models.CharField(_("rule"), max_length=20, choices=AssignmentRule.choices)
    reason = models.TextField(_("reason"), blank=True, default="")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    on = models.DateField(_("business date"))
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["case_id", "at", "id"]
        verbose_name = _("case assignment")
        verbose_name_plural = _("case assignments")
        # Assignment resumes each team's round robin from its latest round-robin row.
        indexes = [models.Index(fields=["team", "rule", "id"], name="assignment_team_rule")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.assignee_id} ({self.rule})"
