"""Who the portfolio is about: creditors and their products, parties and their contact points."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from arrears.core.fields import BlindIndexField, EncryptedTextField
from arrears.core.models import BaseModel
from arrears.portfolio.calculations.allocation import ALLOCATION_ORDER_DEFAULT
from arrears.portfolio.choices import (
    ContactKind,
    ContactStatus,
    CreditorKind,
    DayCount,
    IdType,
    LenderType,
    PartyKind,
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
    lender_type = models.CharField(
        _("lender type"),
        max_length=24,
        choices=LenderType.choices,
        default=LenderType.FINANCIAL_INSTITUTION,
        # In the schema too: rows inserted by SQL (bulk loads, older scripts) get it as well.
        db_default=LenderType.FINANCIAL_INSTITUTION,
        help_text=_("Decides the interest ceiling a court supports on its loans' claims."),
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
    The ID number is stored encrypted; ``id_number_index`` (its keyed blind index) finds a
    party by it and keeps the identity unique (docs/security.md, "Encryption at rest").
    """

    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="parties")
    kind = models.CharField(
        _("kind"), max_length=10, choices=PartyKind.choices, default=PartyKind.PERSON
    )
    name = models.CharField(_("name"), max_length=200)
    id_type = models.CharField(
        _("ID type"), max_length=20, choices=IdType.choices, blank=True, default=IdType.NONE
    )
    id_number = EncryptedTextField(_("ID number"), max_length=40, blank=True, default="")
    id_number_index = BlindIndexField(source="id_number", scheme="id")
    employer = models.CharField(_("employer"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "id_type", "id_number_index"],
                condition=~Q(id_number_index=""),
                name="party_identity_per_creditor",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ContactPoint(BaseModel):
    """One way to reach a party (a phone number, an email, a postal address) and its status.

    A number found wrong is marked invalid, never deleted: the history of attempts on it is
    evidence, and re-importing it must not silently bring it back to life. The value is
    stored encrypted (addresses too); ``value_index``, its keyed blind index normalised by
    kind, finds it by exact value and keeps a party's values of a kind unique.
    """

    # No index of its own: the unique (party, kind, value_index) index starts with the party.
    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="contact_points", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    value = EncryptedTextField(_("value"), max_length=300)
    value_index = BlindIndexField(source="value", scheme_field="kind")
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
                fields=["party", "kind", "value_index"], name="contact_point_unique_value"
            )
        ]
        indexes = [
            # The cycle's reachability step starts from the invalid points (a case is
            # unreachable only when every point is invalid, so it has one): a few rows,
            # where the whole table would be read to find them.
            models.Index(
                fields=["party"], condition=Q(status="invalid"), name="contact_point_invalid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"
