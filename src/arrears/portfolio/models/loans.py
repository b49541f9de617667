"""Loans, the parties on them and their repayment schedules."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.core.models import BaseModel
from arrears.portfolio.choices import (
    DayCount,
    GuaranteeKind,
    GuaranteeType,
    LoanStatus,
    PartyRole,
    RepaymentMethod,
)
from arrears.portfolio.models.parties import (
    DEFAULT_ALLOCATION_ORDER,
    RATE_DECIMALS,
    RATE_MAX_DIGITS,
    Creditor,
    Party,
    Product,
)


class Loan(BaseModel):
    """A loan contract (借据) of a creditor with its terms as agreed.

    ``loan_id`` is the creditor's own contract or receipt number. Terms are frozen once
    repayment began: a tape that changes them is rejected rather than rewriting history.
    """

    # Indexed by the unique (creditor, loan_id) constraint, which starts with it.
    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="loans", db_index=False
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="loans"
    )
    loan_id = models.CharField(_("loan id"), max_length=100)
    principal = models.BigIntegerField(_("principal (fen)"))
    annual_rate = models.DecimalField(
        _("annual rate"), max_digits=RATE_MAX_DIGITS, decimal_places=RATE_DECIMALS
    )
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    repayment_method = models.CharField(
        _("repayment method"), max_length=20, choices=RepaymentMethod.choices
    )
    disbursed_on = models.DateField(_("disbursed on"))
    first_due_on = models.DateField(_("first due on"), null=True, blank=True)
    penalty_rate = models.DecimalField(
        _("penalty rate"), max_digits=RATE_MAX_DIGITS, decimal_places=RATE_DECIMALS
    )
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=0)
    day_count = models.PositiveSmallIntegerField(
        _("penalty day count"), choices=DayCount.choices, default=DayCount.ACT_360
    )
    allocation_order = models.CharField(
        _("allocation order"), max_length=60, default=DEFAULT_ALLOCATION_ORDER
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    branch = models.CharField(_("branch"), max_length=100, blank=True, default="")
    guarantee_type = models.CharField(
        _("guarantee type"), max_length=20, choices=GuaranteeType.choices, blank=True, default=""
    )
    status = models.CharField(
        _("status"), max_length=20, choices=LoanStatus.choices, default=LoanStatus.ACTIVE
    )
    # The last assignment of the claim (债权转让, 民法典 art. 545): ``creditor`` is the
    # assignee from ``assigned_on``; payments the assignor still received name it in
    # ``Payment.received_by``. Not indexed: read per loan, never searched by.
    assigned_from = models.ForeignKey(
        Creditor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("assigned from"),
    )
    assigned_on = models.DateField(_("assignment date"), null=True, blank=True)
    # The day the creditor declared the whole loan due (宣布提前到期, by notice to the
    # borrower): the main debt's performance period then ends here, which moves the start
    # of every guarantee period (``calculations.guarantee_period``).
    accelerated_on = models.DateField(_("accelerated on"), null=True, blank=True)
    # Bumped in the same transaction as every payment recorded for the loan, so the daily
    # cycle finds loans with new payments without re-reading all payments.
    payments_version = models.PositiveIntegerField(_("payments version"), db_default=0)
    parties: models.ManyToManyField[Party, LoanParty] = models.ManyToManyField(
        Party, through="LoanParty", related_name="loans"
    )

    class Meta:
        ordering = ["creditor_id", "loan_id"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.UniqueConstraint(fields=["creditor", "loan_id"], name="loan_id_per_creditor")
        ]

    def __str__(self) -> str:
        return self.loan_id


class LoanParty(BaseModel):
    """The role a party plays on a loan (borrower, co-borrower, guarantor, contact …).

    Liability follows the role: an emergency contact is never liable and later contact
    rules treat them differently.
    """

    # Indexed by the unique (loan, party, role) constraint, which starts with it.
    loan = models.ForeignKey(
        Loan, on_delete=models.CASCADE, related_name="loan_parties", db_index=False
    )
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="loan_roles")
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    # Guarantors and counter-guarantors only; blank for every other role. ``db_default`` so
    # raw-SQL inserts that do not name the column keep working.
    guarantee_kind = models.CharField(
        _("guarantee kind"),
        max_length=10,
        choices=GuaranteeKind.choices,
        blank=True,
        default="",
        db_default="",
    )
    # The guarantee period (保证期间, 民法典 art. 692) as agreed in the guarantee contract:
    # an end date, or a length in months counted from the main debt's final due date. Both
    # empty means none was agreed (six months by law); an agreed end on or before the main
    # debt's final due date counts as none (art. 692 para 2), which
    # ``calculations.guarantee_period`` decides, not the database.
    guarantee_period_ends_on = models.DateField(
        _("guarantee period ends on (agreed)"), null=True, blank=True
    )
    guarantee_period_months = models.PositiveSmallIntegerField(
        _("guarantee period (months, agreed)"), null=True, blank=True
    )
    # Set by the cycle (``portfolio.batch.guarantees``): the loan still owes money and this
    # guarantee's period ends within 30 days with no preserving act recorded. Playbook
    # rules with ``when: guarantee_ending`` act on it.
    guarantee_ending = models.BooleanField(
        _("guarantee period ending"), default=False, db_default=False
    )

    class Meta:
        ordering = ["loan_id", "role", "id"]
        verbose_name = _("loan party")
        verbose_name_plural = _("loan parties")
        constraints = [
            models.UniqueConstraint(fields=["loan", "party", "role"], name="loan_party_role")
        ]

    def __str__(self) -> str:
        return f"{self.loan} · {self.get_role_display()}"


class Installment(models.Model):
    """One scheduled period of a loan (期): what falls due on ``due_on``, by component.

    Only the contractual amounts are stored; what was paid comes from ``Allocation`` and
    penalty from the replay. There are about twelve of these per loan (twelve million for a
    million loans), so the row is kept lean: no wall-clock stamps, the loan row has them.
    The loan is not enforced by the database, like ``Allocation``'s: on PostgreSQL the check
    is a trigger and a lock on the loan row per installment, a third of a 100,000-loan
    import's database time, and every writer (the import, corrections, claims) makes a
    loan's installments together with, or for, the loan row it holds.
    """

    # Indexed by the unique (loan, seq) constraint; a second index on loan alone would
    # cost 1.2 million extra index entries per 100,000 loans imported.
    loan = models.ForeignKey(
        Loan,
        on_delete=models.CASCADE,
        related_name="installments",
        db_index=False,
        db_constraint=False,
    )
    seq = models.PositiveSmallIntegerField(_("period"))
    due_on = models.DateField(_("due on"))
    principal = models.BigIntegerField(_("principal due (fen)"))
    interest = models.BigIntegerField(_("interest due (fen)"))
    fees = models.BigIntegerField(_("fees due (fen)"), default=0)

    class Meta:
        ordering = ["loan_id", "seq"]
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        constraints = [
            models.UniqueConstraint(fields=["loan", "seq"], name="installment_seq_per_loan")
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} #{self.seq}"
