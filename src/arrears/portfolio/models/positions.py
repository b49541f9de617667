"""Each loan's position: its state (and each installment's) on the business date of the
last cycle, kept so the next day can start from it instead of replaying every payment ever
made, and a daily history row per overdue loan. Written by the ledger's cycle steps
(``portfolio.batch``); read by cases, strategy, the workbench and reports. Day numbers
(``date.toordinal()``) sit beside dates where SQL does arithmetic on them, so the same
statements run on SQLite and PostgreSQL. The tables keep their first names (``cycle_*``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.portfolio.choices import Classification
from arrears.portfolio.models.loans import Installment, Loan


class LoanPosition(models.Model):
    """A loan's state on ``as_of``, the business date of the last cycle that reached it.

    Amounts in fen. ``payments_version``, ``pending_payment_day`` and ``loan_updated_at``
    record what the position was computed from: when a loan's payments or terms differ, the
    next cycle rebuilds it from scratch (a backdated payment moves everything after it).
    """

    loan = models.OneToOneField(
        Loan,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="position",
        db_constraint=False,
    )
    as_of = models.DateField(_("as of"))
    dpd = models.PositiveIntegerField(_("days past due"), default=0)
    bucket = models.CharField(_("bucket"), max_length=3, default="M0")
    classification = models.CharField(
        _("classification"),
        max_length=16,
        choices=Classification.choices,
        default=Classification.NORMAL,
    )
    overdue_principal = models.BigIntegerField(_("overdue principal"), default=0)
    overdue_interest = models.BigIntegerField(_("overdue interest"), default=0)
    overdue_fees = models.BigIntegerField(_("overdue fees"), default=0)
    overdue_penalty = models.BigIntegerField(_("overdue penalty"), default=0)
    penalty_accrued = models.BigIntegerField(_("penalty accrued"), default=0)
    credit_balance = models.BigIntegerField(_("credit balance"), default=0)
    principal_outstanding = models.BigIntegerField(_("principal outstanding"), default=0)
    # Day numbers (date.toordinal()) for SQL: the next due date after ``as_of`` with
    # something unpaid, the oldest overdue due date, the oldest due date with anything
    # unpaid. A loan whose oldest unpaid due date is after the cycle date cannot change
    # state that day, so the cycle leaves it alone.
    next_due_day = models.IntegerField(null=True, blank=True)
    oldest_overdue_day = models.IntegerField(null=True, blank=True)
    oldest_unpaid_day = models.IntegerField(null=True, blank=True)
    last_paid_on = models.DateField(_("last paid on"), null=True, blank=True)
    limitation_expires_on = models.DateField(_("limitation expires on"), null=True, blank=True)
    limitation_day = models.IntegerField(null=True, blank=True)
    limitation_watch = models.BooleanField(_("limitation within 90 days"), default=False)
    # Penalty = round_half_up(fen·days × num / den); den folds in the day count.
    penalty_rate_num = models.BigIntegerField()
    penalty_rate_den = models.BigIntegerField()
    payments_count = models.PositiveIntegerField(default=0)
    payments_total = models.BigIntegerField(default=0)
    # What the position was computed from: the loan's payments version and row stamp, and
    # the first payment day after ``as_of`` already on file (a cycle run for an earlier date
    # than today's payments must pick them up on their day).
    payments_version = models.PositiveIntegerField(default=0)
    pending_payment_day = models.IntegerField(null=True, blank=True)
    loan_updated_at = models.DateTimeField()

    class Meta:
        db_table = "cycle_loanposition"
        ordering = ["loan_id"]
        verbose_name = _("loan position")
        verbose_name_plural = _("loan positions")

    def __str__(self) -> str:
        return f"{self.loan_id} @ {self.as_of}"


class InstallmentPosition(models.Model):
    """An installment's unpaid amounts and penalty on its loan's ``as_of`` date.

    Sparse: a row exists only for an installment already due (before the loan position's
    ``next_due_day``) that still has something unpaid or has ever accrued penalty. An
    installment due earlier without a row was settled without penalty; one due from
    ``next_due_day`` on is wholly unpaid (credit is applied only when a due date comes),
    and the schedule says what it is. A million loans then need rows for their overdue
    installments, not twelve million. No foreign-key constraints (a trigger per row on
    PostgreSQL) and lean columns, since the overdue rows are updated in place each day.
    """

    installment = models.OneToOneField(
        Installment,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="position",
        db_constraint=False,
    )
    # Indexed by (loan, due_day) below; an index of its own would be a fourth to maintain.
    loan = models.ForeignKey(
        Loan, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    seq = models.PositiveSmallIntegerField()
    due_day = models.IntegerField()
    # Penalty accrues on days after this one (due date + grace days).
    accrue_after_day = models.IntegerField()
    accrued_through_day = models.IntegerField()
    principal_unpaid = models.BigIntegerField()
    interest_unpaid = models.BigIntegerField()
    fees_unpaid = models.BigIntegerField()
    fen_days = models.BigIntegerField(default=0)
    penalty_accrued = models.BigIntegerField(default=0)
    penalty_paid = models.BigIntegerField(default=0)

    class Meta:
        db_table = "cycle_installmentposition"
        ordering = ["loan_id", "seq"]
        verbose_name = _("installment position")
        verbose_name_plural = _("installment positions")
        indexes = [
            models.Index(fields=["loan", "due_day"], name="inst_position_loan_due"),
            # What the daily accrual touches: installments with principal unpaid. Partial,
            # so paid installments (most of them) cost the daily scan nothing.
            models.Index(
                fields=["loan", "accrue_after_day"],
                condition=models.Q(principal_unpaid__gt=0),
                name="inst_position_accruing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} #{self.seq}"


class LoanHistory(models.Model):
    """A loan's state on one business date: every day while overdue, and every month end.

    Roll rates and vintages are computed from these rows. A journal: no foreign keys.
    """

    # Indexed by the unique (loan, business date) constraint, which starts with it.
    loan = models.ForeignKey(
        Loan, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    business_date = models.DateField(_("business date"))
    dpd = models.PositiveIntegerField(_("days past due"))
    bucket = models.CharField(_("bucket"), max_length=3)
    classification = models.CharField(_("classification"), max_length=16)
    overdue_total = models.BigIntegerField(_("overdue total"))
    principal_outstanding = models.BigIntegerField(_("principal outstanding"))
    penalty_accrued = models.BigIntegerField(_("penalty accrued"))

    class Meta:
        db_table = "cycle_loanhistory"
        ordering = ["loan_id", "business_date"]
        verbose_name = _("loan history row")
        verbose_name_plural = _("loan history")
        constraints = [
            models.UniqueConstraint(
                fields=["loan", "business_date"], name="loan_history_once_a_day"
            )
        ]
        indexes = [
            # One business date of every loan: the month tables (aging, roll rates,
            # vintages) and the cycle re-closing a day read it. Bucket, principal and DPD
            # ride along so those reads never visit the table (on 1M loans × 12 month
            # ends, SQLite's roll rates took 17 s without it, 12 s on the first two
            # columns alone, 9.5 s with this one).
            models.Index(
                fields=["business_date", "loan", "bucket", "principal_outstanding", "dpd"],
                name="loan_history_by_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.business_date}"
