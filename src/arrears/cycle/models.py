"""What the daily cycle keeps: its runs and their partitions, and each loan's position.

A *position* is the state of a loan (and of each installment) on the business date of the
last cycle, kept so the next day can start from it instead of replaying every payment ever
made. Day numbers (``date.toordinal()``) sit beside dates where SQL does arithmetic on
them, so the same statements run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.core.models import BaseModel
from arrears.cycle.choices import PartitionStatus, RunStatus


class CycleRun(BaseModel):
    """One close of business for one business date (日终批处理).

    Re-running a date resumes the same run: partitions already done are skipped, and every
    step is idempotent, so a run killed at any point finishes with the clean run's state.
    """

    business_date = models.DateField(_("business date"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    workers = models.PositiveSmallIntegerField(_("workers"), default=1)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), default=0)
    loans = models.PositiveIntegerField(_("loans"), default=0)
    overdue = models.PositiveIntegerField(_("overdue loans"), default=0)
    cases_opened = models.PositiveIntegerField(_("cases opened"), default=0)
    cases_closed = models.PositiveIntegerField(_("cases closed"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    error = models.TextField(_("error"), blank=True, default="")

    class Meta:
        ordering = ["-business_date"]
        verbose_name = _("cycle run")
        verbose_name_plural = _("cycle runs")

    def __str__(self) -> str:
        return f"{self.business_date} ({self.get_status_display()})"


class CyclePartition(models.Model):
    """A dense range of loan ids that one worker takes through every step of a run.

    Workers claim pending partitions (``SKIP LOCKED`` on PostgreSQL), so processes on other
    machines can share a run through the database alone.
    """

    run = models.ForeignKey(CycleRun, on_delete=models.CASCADE, related_name="partitions")
    number = models.PositiveIntegerField(_("number"))
    first_loan = models.BigIntegerField(_("first loan id"))
    last_loan = models.BigIntegerField(_("last loan id"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PartitionStatus.choices,
        default=PartitionStatus.PENDING,
    )
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True, default="")
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True, default="")

    class Meta:
        ordering = ["run_id", "number"]
        verbose_name = _("cycle partition")
        verbose_name_plural = _("cycle partitions")
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="cycle_partition_number")
        ]

    def __str__(self) -> str:
        return f"{self.run} #{self.number}"


class CycleStep(models.Model):
    """A step finished for one partition of a run: rows touched and the time it took."""

    run = models.ForeignKey(CycleRun, on_delete=models.CASCADE, related_name="steps")
    partition = models.PositiveIntegerField(_("partition"))
    name = models.CharField(_("step"), max_length=30)
    rows = models.BigIntegerField(_("rows"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    finished_at = models.DateTimeField(_("finished at"))

    class Meta:
        ordering = ["run_id", "partition", "id"]
        verbose_name = _("cycle step")
        verbose_name_plural = _("cycle steps")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "partition", "name"], name="cycle_step_once_per_partition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.run} #{self.partition} {self.name}"
