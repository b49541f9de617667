"""Agency placement (委外催收): contracts with outside agencies, the cases placed under them.

The agency itself is ``accounts.Agency`` (an organisation people belong to); this app keeps
what the lender agreed with it and which cases it works. Payments attributed to a placement
are not stored: they are read from ``portfolio.Payment`` by the placement's window
(``agencies.selectors``), so posting a payment never has to know about agencies.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from arrears.accounts.models import Agency
from arrears.agencies.choices import CommissionBasis, PlacementStatus, RecallReason
from arrears.cases.models import CollectionCase, WorkItem
from arrears.core.models import BaseModel
from arrears.portfolio.models import Creditor, Loan


class AgencyContract(BaseModel):
    """A contract (委外协议) between a creditor and an agency: from when to when cases may be
    placed under it, how long each placement lasts, and how commission is priced.

    ``basis`` says which of the contract's ``rates`` apply: by the case's bucket when it was
    placed (e.g. M2 12%, M3 18%, M4 and beyond 25%), or by tiers of the amount recovered on
    a placement (progressive, like income tax: each slice at its tier's rate).
    """

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("agency")
    )
    creditor = models.ForeignKey(
        Creditor,
        on_delete=models.PROTECT,
        related_name="agency_contracts",
        verbose_name=_("creditor"),
    )
    reference = models.CharField(_("contract number"), max_length=60, unique=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("empty: until ended")
    )
    placement_days = models.PositiveIntegerField(_("placement length (days)"), default=90)
    basis = models.CharField(
        _("commission basis"),
        max_length=10,
        choices=CommissionBasis.choices,
        default=CommissionBasis.BUCKET,
    )

    class Meta:
        ordering = ["agency_id", "-valid_from", "id"]
        verbose_name = _("agency contract")
        verbose_name_plural = _("agency contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(placement_days__gt=0), name="contract_placement_days_positive"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="contract_valid_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class CommissionRate(BaseModel):
    """One line of a contract's price: ``rate_bp`` basis points (1250 = 12.50%).

    A bucket contract's line applies from ``bucket`` up (the line for M4 covers M4 to M7)
    until a higher line; a tier contract's line applies to the part of the recovered amount
    from ``from_amount`` fen up to the next tier.
    """

    contract = models.ForeignKey(
        AgencyContract, on_delete=models.CASCADE, related_name="rates", verbose_name=_("contract")
    )
    bucket = models.CharField(_("from bucket"), max_length=3, blank=True, default="")
    from_amount = models.BigIntegerField(_("from recovered amount (fen)"), default=0)
    rate_bp = models.PositiveIntegerField(_("rate (basis points)"))

    class Meta:
        ordering = ["contract_id", "bucket", "from_amount"]
        verbose_name = _("commission rate")
        verbose_name_plural = _("commission rates")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "bucket", "from_amount"], name="commission_rate_once"
            ),
            models.CheckConstraint(condition=Q(rate_bp__lte=10_000), name="rate_at_most_100pct"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.bucket or self.from_amount} {self.rate_bp}bp"


class Placement(BaseModel):
    """A case handed to an agency (委外) for a term: ``[placed_on, ends_on)``.

    Holds what the case owed and its bucket when placed (the contract's bucket rate reads
    it), who placed it and, when it stopped, when and why. While ``active`` the case's
    ``agency`` is this agency and the agency's collectors see it; a recall or the end of the
    term clears it. Payments on the loan dated from ``placed_on`` up to (not including)
    ``recalled_on`` — or ``ends_on`` while active — are the agency's recoveries.
    """

    case = models.ForeignKey(
        CollectionCase, on_delete=models.PROTECT, related_name="placements", verbose_name=_("case")
    )
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, related_name="placements", verbose_name=_("loan")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="placements", verbose_name=_("agency")
    )
    contract = models.ForeignKey(
        AgencyContract,
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name=_("contract"),
    )
    placed_on = models.DateField(_("placed on"))
    ends_on = models.DateField(_("ends on"))
    overdue_at_placement = models.BigIntegerField(_("overdue at placement (fen)"))
    outstanding_at_placement = models.BigIntegerField(_("outstanding at placement (fen)"))
    bucket = models.CharField(_("bucket at placement"), max_length=3)
    dpd = models.PositiveIntegerField(_("DPD at placement"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("placed by"),
    )
    # The playbook's placement task this placement carried out, when it came from one.
    work_item = models.ForeignKey(
        WorkItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("work item"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PlacementStatus.choices,
        default=PlacementStatus.ACTIVE,
    )
    recalled_on = models.DateField(_("recalled on"), null=True, blank=True)
    recall_reason = models.CharField(
        _("recall reason"), max_length=20, choices=RecallReason.choices, blank=True, default=""
    )
    recall_note = models.CharField(_("recall note"), max_length=500, blank=True, default="")
    recalled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recalled by"),
    )

    class Meta:
        ordering = ["-placed_on", "id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="active"),
                name="one_active_placement_per_case",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("placed_on")), name="placement_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status="active", recalled_on__isnull=True)
                | (~Q(status="active") & Q(recalled_on__isnull=False)),
                name="placement_recalled_on_iff_stopped",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "placed_on"], name="placement_agency_day"),
            models.Index(fields=["status", "ends_on"], name="placement_status_end"),
            models.Index(fields=["loan", "placed_on"], name="placement_loan_day"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.agency_id} {self.placed_on}"


class AgencyStatement(BaseModel):
    """A monthly commission statement (佣金结算单) as issued to the agency: the lines and
    totals frozen when issued, with the SHA-256 of their canonical JSON, so what the lender
    agreed to pay stays provable even if a late payment changes the month's figures later.
    Issued once per agency and month; never changed."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="statements", verbose_name=_("agency")
    )
    month = models.CharField(_("month"), max_length=7)
    recovered = models.BigIntegerField(_("recovered (fen)"))
    commission = models.BigIntegerField(_("commission (fen)"))
    content = models.JSONField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )

    class Meta:
        ordering = ["agency_id", "-month"]
        verbose_name = _("commission statement")
        verbose_name_plural = _("commission statements")
        constraints = [
            models.UniqueConstraint(fields=["agency", "month"], name="statement_once_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month}"
