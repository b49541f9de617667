"""Repayment plans (分期还款方案) and the authority each role has to grant plans and waivers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.accounts.choices import Role
from arrears.cases.choices import PlanStatus
from arrears.cases.models.cases import CollectionCase


class AuthorityLimit(models.Model):
    """What a role may grant on its own (审批权限矩阵): repayment plans up to an amount and a
    number of installments, waivers up to a total and a principal part. Anything beyond goes
    to a role whose limits cover it. A role without a row may grant nothing."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, unique=True)
    plan_max_amount = models.BigIntegerField(_("plan: largest amount (fen)"), default=0)
    plan_max_installments = models.PositiveSmallIntegerField(
        _("plan: most monthly installments"), default=0
    )
    waiver_max_total = models.BigIntegerField(_("waiver: largest total (fen)"), default=0)
    waiver_max_principal = models.BigIntegerField(
        _("waiver: largest principal part (fen)"), default=0
    )
    waiver_components = models.CharField(
        _("waiver: components it may waive"),
        max_length=60,
        default="penalty,interest,fees,principal",
        help_text=_("comma-separated: penalty, interest, fees, principal"),
    )
    # The largest balance (fen) the role may approve writing off (核销); 0: may not.
    writeoff_max_amount = models.BigIntegerField(_("write-off: largest balance (fen)"), default=0)

    class Meta:
        ordering = ["role"]
        verbose_name = _("authority limit")
        verbose_name_plural = _("authority matrix")

    def __str__(self) -> str:
        return self.get_role_display()

    def waivable_components(self) -> set[str]:
        return {part.strip() for part in self.waiver_components.split(",") if part.strip()}


class RepaymentPlan(models.Model):
    """An agreed way for a borrower to catch up: a down payment, then equal monthly
    installments from ``start_on``. Within the requester's authority it is active at once;
    beyond it waits for approval. While active the case's playbook pauses; a missed
    installment (past its due date plus the tolerance) breaks the plan and the playbook resumes.
    """

    case = models.ForeignKey(
        CollectionCase, on_delete=models.PROTECT, related_name="plans", db_constraint=False
    )
    loan_id = models.BigIntegerField(_("loan"))
    total = models.BigIntegerField(_("amount covered (fen)"))
    down_payment = models.BigIntegerField(_("down payment (fen)"), default=0)
    installments = models.PositiveSmallIntegerField(_("monthly installments"))
    start_on = models.DateField(_("first installment on"))
    tolerance_days = models.PositiveSmallIntegerField(_("tolerance (days)"), default=3)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.PENDING
    )
    reason = models.TextField(_("reason"), blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True, default="")
    made_on = models.DateField(_("made on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-made_on", "id"]
        verbose_name = _("repayment plan")
        verbose_name_plural = _("repayment plans")
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="plan_total_positive"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["pending", "active"]),
                name="one_live_plan_per_case",
            ),
        ]
        indexes = [models.Index(fields=["status", "case"], name="plan_status_case")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.total} in {self.installments}"


class PlanInstallment(models.Model):
    """One payment of a repayment plan (number 0 is the down payment) and how much of it the
    borrower has paid, as the daily cycle finds it."""

    plan = models.ForeignKey(RepaymentPlan, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    amount = models.BigIntegerField(_("amount (fen)"))
    paid = models.BigIntegerField(_("paid (fen)"), default=0)

    class Meta:
        ordering = ["plan_id", "number"]
        verbose_name = _("plan installment")
        verbose_name_plural = _("plan installments")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_installment_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} #{self.number} {self.due_on}"
