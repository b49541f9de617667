"""Records about the ledger: tape imports and limitation events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.core.models import BaseModel
from arrears.portfolio.choices import (
    LimitationEventKind,
    TapeKind,
)
from arrears.portfolio.models.loans import Loan
from arrears.portfolio.models.parties import Creditor, Party


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
    # Whom the act was aimed at. NULL: the debtor (the loan's own limitation period). A
    # guarantor here makes it an act that preserves that guarantee (民法典 arts. 693–694):
    # a demand to a joint guarantor, or for a general guarantee a suit against the debtor
    # recorded with the guarantor named. Not indexed: read per loan.
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("party"),
    )

    class Meta:
        ordering = ["loan_id", "occurred_on", "id"]
        verbose_name = _("limitation event")
        verbose_name_plural = _("limitation events")
        indexes = [models.Index(fields=["loan", "occurred_on"], name="limitation_event_loan_on")]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.kind} {self.occurred_on}"
