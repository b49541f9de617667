"""Collection cases (催收案件): opened when a loan goes overdue, closed when it is cured."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.accounts.models import Agency, Team
from arrears.cases.choices import CaseStatus, CloseReason, DelinquencyReason, WorkItemStatus
from arrears.core.models import BaseModel
from arrears.portfolio.models import Creditor, Loan, LoanPosition, Party


class CollectionCase(BaseModel):
    """One episode of delinquency of a loan, from the day it crossed the case threshold.

    The daily cycle opens it, keeps ``current_dpd``, ``bucket`` and ``worst_dpd`` up to
    date, and closes it as cured when the loan's DPD returns to 0. A loan has at most one
    open case.
    """

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="cases")
    # The loan's position (the last cycle's amounts), joined on the case's own loan id, the
    # position's key, instead of through the loan: the queue's order reads it for every
    # case of a collector's scope, and the hop through portfolio_loan was a third of that
    # statement's work (three index pages a case). A join path only: no column, no
    # constraint; read it in queries (``position__overdue_principal``), not as an attribute.
    position = models.ForeignObject(
        LoanPosition,
        on_delete=models.DO_NOTHING,
        from_fields=["loan"],
        to_fields=["loan"],
        related_name="+",
        null=True,
    )
    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    opened_on = models.DateField(_("opened on"))
    entry_dpd = models.PositiveIntegerField(_("DPD at entry"))
    entry_amount = models.BigIntegerField(_("overdue amount at entry (fen)"))
    current_dpd = models.PositiveIntegerField(_("current DPD"))
    bucket = models.CharField(_("bucket"), max_length=3)
    worst_dpd = models.PositiveIntegerField(_("worst DPD"))
    updated_on = models.DateField(_("updated on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(
        _("close reason"), max_length=20, choices=CloseReason.choices, blank=True, default=""
    )
    # Who works the case: the team whose buckets hold it and, once assigned, one collector.
    # Indexed by the (team, status, assignee) and (assignee, status) indexes below.
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
        db_constraint=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        db_index=False,
        db_constraint=False,
    )
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    # The outside agency the case is placed with (委外), while placed; the placement's terms
    # and history are ``agencies.Placement``. Agency collectors see only these cases.
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_constraint=False,
    )
    # A closed case whose loan falls overdue again is reopened (the same case, its history
    # kept) rather than a new one opened: the last reopening day and how many times.
    reopened_on = models.DateField(_("reopened on"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), db_default=0, default=0)
    # The day every known contact point of the borrower was found invalid (失联); empty
    # while one may still reach them. Skip tracing (查找) works these cases.
    unreachable_since = models.DateField(_("unreachable since"), null=True, blank=True)
    # What collectors learn on calls; playbook segments and the queue score read them.
    delinquency_reason = models.CharField(
        _("reason for delinquency"),
        max_length=30,
        choices=DelinquencyReason.choices,
        blank=True,
        db_default="",
    )
    risk_grade = models.CharField(
        _("risk grade"),
        max_length=1,
        blank=True,
        db_default="",
        help_text=_("A (lowest risk) to E (highest)"),
    )

    class Meta:
        ordering = ["-opened_on", "id"]
        verbose_name = _("collection case")
        verbose_name_plural = _("collection cases")
        constraints = [
            models.UniqueConstraint(
                fields=["loan"], condition=Q(status="open"), name="one_open_case_per_loan"
            ),
            models.UniqueConstraint(fields=["loan", "opened_on"], name="case_opened_once_a_day"),
        ]
        indexes = [
            models.Index(fields=["status", "bucket"], name="case_status_bucket"),
            models.Index(fields=["team", "status", "assignee"], name="case_team_status"),
            models.Index(fields=["assignee", "status"], name="case_assignee_status"),
            # The cycle's steps look up the few cases opened, reopened or closed on the day
            # being closed, a partition (loan-id range) at a time; without these they read
            # every case of the partition to find them.
            models.Index(fields=["opened_on", "loan"], name="case_opened_on"),
            # A partition's open cases: with only (status, bucket) SQLite, having no
            # statistics, read every open case of the book once per partition.
            models.Index(fields=["status", "loan"], name="case_status_loan"),
            models.Index(fields=["reopened_on", "loan"], name="case_reopened_on"),
            models.Index(fields=["closed_on", "loan"], name="case_closed_on"),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.opened_on}"


class CaseBucketSpell(models.Model):
    """A stretch of days a case spent in one bucket (entered on, left on); roll rates read
    these. ``left_on`` is the first day in the next bucket, empty while still in it."""

    case = models.ForeignKey(CollectionCase, on_delete=models.CASCADE, related_name="spells")
    bucket = models.CharField(_("bucket"), max_length=3)
    entered_on = models.DateField(_("entered on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["case_id", "entered_on"]
        verbose_name = _("bucket spell")
        verbose_name_plural = _("bucket spells")
        constraints = [
            models.UniqueConstraint(fields=["case", "entered_on"], name="spell_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.bucket} {self.entered_on}"


class WorkItem(models.Model):
    """A task in a work queue for a person: a call, a visit, a review, an agency placement or
    a legal referral, due at a time, planned by the strategy for one party of a case.
    No foreign-key constraints: written in bulk by the daily cycle."""

    # The (case, status) and queue indexes serve every read; no index per foreign key.
    case = models.ForeignKey(
        CollectionCase,
        on_delete=models.PROTECT,
        related_name="work_items",
        db_constraint=False,
        db_index=False,
    )
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    planned_action_id = models.BigIntegerField(_("planned action"), unique=True)
    type = models.CharField(_("type"), max_length=20)
    queue = models.CharField(_("queue"), max_length=60, blank=True, default="")
    title = models.CharField(_("title"), max_length=400)
    due_at = models.DateTimeField(_("due at"))
    priority = models.PositiveSmallIntegerField(_("priority"), default=50)
    status = models.CharField(
        _("status"), max_length=10, choices=WorkItemStatus.choices, default=WorkItemStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["due_at", "-priority", "id"]
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        indexes = [
            models.Index(fields=["queue", "status", "due_at"], name="work_item_queue"),
            models.Index(fields=["case", "status"], name="work_item_case"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.case_id} {self.due_at:%Y-%m-%d %H:%M}"
