"""The portfolio ledger: who owes what to whom, under which terms, and what was paid.

Amounts are integer fen (``BigIntegerField``); rates are exact decimal fractions
(``Decimal("0.12")`` is 12 %). The state of a loan on a date is never stored here as a
truth of its own: it is the replay of the schedule and payments (``calculations``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from arrears.core.models import BaseModel
from arrears.portfolio.calculations.allocation import ALLOCATION_ORDER_DEFAULT
from arrears.portfolio.choices import (
    ContactKind,
    ContactStatus,
    CreditorKind,
    DayCount,
    GuaranteeType,
    IdType,
    LimitationEventKind,
    LoanStatus,
    PartyKind,
    PartyRole,
    RepaymentMethod,
    TapeKind,
)

# Rates as exact fractions with 8 decimals: 12.345678 % is 0.12345678.
RATE_MAX_DIGITS, RATE_DECIMALS = 12, 8
DEFAULT_ALLOCATION_ORDER = ",".join(ALLOCATION_ORDER_DEFAULT)
# 罚息 is commonly the contract rate plus 50 % (e.g. 12 % → 18 %).
DEFAULT_PENALTY_MULTIPLIER = Decimal("1.5")


class Creditor(BaseModel):
    """Owner of a portfolio: a lender, or the client of an agency or law firm using Arrears.

    Loan ids, payment ids and parties are unique per creditor, so two lenders' tapes never
    collide.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=CreditorKind.choices, default=CreditorKind.LENDER
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("creditor")
        verbose_name_plural = _("creditors")

    def __str__(self) -> str:
        return self.name


class Product(BaseModel):
    """A loan product of a creditor, giving defaults for loans that do not state their own.

    A loan copies the defaults when it is imported, so changing a product later never
    rewrites the terms of loans already on the books.
    """

    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="products")
    code = models.CharField(_("code"), max_length=100)
    name = models.CharField(_("name"), max_length=200, blank=True)
    default_annual_rate = models.DecimalField(
        _("default annual rate"),
        null=True,
        blank=True,
        max_digits=RATE_MAX_DIGITS,
        decimal_places=RATE_DECIMALS,
    )
    penalty_rate_multiplier = models.DecimalField(
        _("penalty rate as a multiple of the annual rate"),
        max_digits=6,
        decimal_places=4,
        default=DEFAULT_PENALTY_MULTIPLIER,
    )
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=0)
    day_count = models.PositiveSmallIntegerField(
        _("penalty day count"), choices=DayCount.choices, default=DayCount.ACT_360
    )
    allocation_order = models.CharField(
        _("allocation order"),
        max_length=60,
        default=DEFAULT_ALLOCATION_ORDER,
        help_text=_("Components in the order a payment settles them, comma separated."),
    )
    # Five-category classification (五级分类): the DPD at which a loan enters each category
    # after 正常. Defaults follow the 2023 asset risk classification rules for banks; card
    # products commonly use 1 / 91 / 121 / 181.
    special_mention_dpd = models.PositiveSmallIntegerField(_("关注 from DPD"), default=1)
    substandard_dpd = models.PositiveSmallIntegerField(_("次级 from DPD"), default=91)
    doubtful_dpd = models.PositiveSmallIntegerField(_("可疑 from DPD"), default=271)
    loss_dpd = models.PositiveSmallIntegerField(_("损失 from DPD"), default=361)
    case_threshold_dpd = models.PositiveSmallIntegerField(
        _("open a collection case from DPD"), default=1
    )

    class Meta:
        ordering = ["creditor__name", "code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["creditor", "code"], name="product_code_per_creditor"),
            models.CheckConstraint(
                condition=Q(special_mention_dpd__lte=F("substandard_dpd"))
                & Q(substandard_dpd__lte=F("doubtful_dpd"))
                & Q(doubtful_dpd__lte=F("loss_dpd")),
                name="product_classification_thresholds_ascend",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.code


class Party(BaseModel):
    """A person or company connected to loans: borrower, guarantor, emergency contact …

    One row per identity per creditor (the ID number identifies them), however many loans
    they are on and in whatever role. Phones, emails and addresses are ``ContactPoint`` rows.
    """

    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="parties")
    kind = models.CharField(
        _("kind"), max_length=10, choices=PartyKind.choices, default=PartyKind.PERSON
    )
    name = models.CharField(_("name"), max_length=200)
    id_type = models.CharField(
        _("ID type"), max_length=20, choices=IdType.choices, blank=True, default=IdType.NONE
    )
    id_number = models.CharField(_("ID number"), max_length=40, blank=True, default="")
    employer = models.CharField(_("employer"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "id_type", "id_number"],
                condition=~Q(id_number=""),
                name="party_identity_per_creditor",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ContactPoint(BaseModel):
    """One way to reach a party (a phone number, an email, a postal address) and its status.

    A number found wrong is marked invalid, never deleted: the history of attempts on it is
    evidence, and re-importing it must not silently bring it back to life.
    """

    # No index of its own: the unique (party, kind, value) index starts with the party.
    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="contact_points", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    value = models.CharField(_("value"), max_length=300)
    status = models.CharField(
        _("status"), max_length=12, choices=ContactStatus.choices, default=ContactStatus.UNVERIFIED
    )
    is_primary = models.BooleanField(_("primary"), default=False)
    source = models.CharField(_("source"), max_length=40, blank=True, default="")

    class Meta:
        ordering = ["party_id", "kind", "-is_primary", "id"]
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [
            models.UniqueConstraint(
                fields=["party", "kind", "value"], name="contact_point_unique_value"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


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
        _("status"), max_length=10, choices=LoanStatus.choices, default=LoanStatus.ACTIVE
    )
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
    """

    # Indexed by the unique (loan, seq) constraint; a second index on loan alone would
    # cost 1.2 million extra index entries per 100,000 loans imported.
    loan = models.ForeignKey(
        Loan, on_delete=models.CASCADE, related_name="installments", db_index=False
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


class Payment(BaseModel):
    """Money received from a borrower (还款), identified by the creditor's transaction id.

    Payments are facts: a payment id seen again with different content is rejected, never
    overwritten. ``paid_on`` is the business date the money counts on.
    """

    # Both indexed by composite indexes that start with them (see Meta).
    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    payment_id = models.CharField(_("payment id"), max_length=100)
    paid_on = models.DateField(_("paid on"))
    amount = models.BigIntegerField(_("amount (fen)"))
    channel = models.CharField(_("channel"), max_length=60, blank=True, default="")

    class Meta:
        ordering = ["loan_id", "paid_on", "payment_id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "payment_id"], name="payment_id_per_creditor"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["loan", "paid_on"], name="payment_loan_paid_on")]

    def __str__(self) -> str:
        return self.payment_id


class Allocation(models.Model):
    """How much of a payment settled which component of which installment, and on which day.

    Rebuilt by replay for a loan whenever its payments change (a backdated payment moves
    later allocations). ``applied_on`` is the payment day, or the due date when money held
    as credit settled a later installment. A journal table: foreign keys are not enforced in
    the database (each one costs a trigger and a parent-row lock per insert on PostgreSQL).
    """

    loan = models.ForeignKey(
        Loan, on_delete=models.CASCADE, related_name="allocations", db_constraint=False
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, related_name="allocations", db_constraint=False
    )
    installment = models.ForeignKey(
        Installment, on_delete=models.CASCADE, related_name="allocations", db_constraint=False
    )
    applied_on = models.DateField(_("applied on"))
    principal = models.BigIntegerField(_("principal (fen)"), default=0)
    interest = models.BigIntegerField(_("interest (fen)"), default=0)
    fees = models.BigIntegerField(_("fees (fen)"), default=0)
    penalty = models.BigIntegerField(_("penalty (fen)"), default=0)

    class Meta:
        ordering = ["loan_id", "applied_on", "id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.installment_id}"


class TapeImport(BaseModel):
    """One ingest of a tape file: what it was, whose, and how every row ended.

    Kept so an operator can answer "when did this loan arrive, from which file" and find
    the rejects file of an import.
    """

    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="imports")
    kind = models.CharField(_("kind"), max_length=10, choices=TapeKind.choices)
    file_name = models.CharField(_("file name"), max_length=500)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rejects_file = models.CharField(_("rejects file"), max_length=500, blank=True, default="")
    seconds = models.FloatField(_("seconds"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tape import")
        verbose_name_plural = _("tape imports")

    def __str__(self) -> str:
        return f"{self.kind}: {self.file_name}"


class LimitationEvent(BaseModel):
    """A recorded event that restarts a loan's limitation period (诉讼时效中断).

    A demand for payment, the borrower's acknowledgment of the debt, or a suit, arbitration
    or payment order (民法典 art. 195). Payments are acknowledgments too but live in
    ``Payment``. A demand or legal action only restarts a period still running; an
    acknowledgment after expiry waives the defence (art. 192), so it counts whenever made.
    Evidence of a legal fact: rows are added, never changed; ``evidence`` names where the
    proof is kept (a delivery receipt, a recording, a court docket number).
    """

    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, related_name="limitation_events", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LimitationEventKind.choices)
    occurred_on = models.DateField(_("occurred on"))
    evidence = models.CharField(_("evidence"), max_length=200, blank=True, default="")
    note = models.TextField(_("note"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["loan_id", "occurred_on", "id"]
        verbose_name = _("limitation event")
        verbose_name_plural = _("limitation events")
        indexes = [models.Index(fields=["loan", "occurred_on"], name="limitation_event_loan_on")]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.kind} {self.occurred_on}"


class Waiver(models.Model):
    """Part of what a loan owes that the creditor gave up (减免), by component, as of a
    business date: the ledger side of an approved settlement.

    Not money received: the replay lowers only the named components of what is outstanding
    on ``waived_on`` (overdue installments first, oldest first, then principal not yet due),
    never below zero, and never counts a waiver as collected. Appended, never changed: a
    waiver given in error is answered by a new settlement, not an edit. Recording one bumps
    the loan's ``payments_version`` so the next cycle replays the loan.
    """

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="waivers", db_index=False)
    reference = models.CharField(
        _("reference"), max_length=100, unique=True, help_text=_("e.g. the settlement number")
    )
    settlement_id = models.BigIntegerField(_("settlement"), null=True, blank=True)
    waived_on = models.DateField(_("waived on"))
    principal = models.BigIntegerField(_("principal waived (fen)"), default=0)
    interest = models.BigIntegerField(_("interest waived (fen)"), default=0)
    fees = models.BigIntegerField(_("fees waived (fen)"), default=0)
    penalty = models.BigIntegerField(_("penalty waived (fen)"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["loan_id", "waived_on", "id"]
        verbose_name = _("waiver")
        verbose_name_plural = _("waivers")
        constraints = [
            models.CheckConstraint(
                condition=Q(principal__gte=0)
                & Q(interest__gte=0)
                & Q(fees__gte=0)
                & Q(penalty__gte=0)
                & (Q(principal__gt=0) | Q(interest__gt=0) | Q(fees__gt=0) | Q(penalty__gt=0)),
                name="waiver_amounts_positive",
            )
        ]
        indexes = [models.Index(fields=["loan", "waived_on"], name="waiver_loan_waived_on")]

    def __str__(self) -> str:
        return f"{self.reference} ({self.loan_id})"

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.fees + self.penalty
