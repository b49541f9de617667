"""The transfers app's tables: every assignment of debts (债权转让) and the loans it moved.

The loans themselves move in the ledger (``Loan.creditor``, ``assigned_from``,
``assigned_on``, written by ``portfolio.services.assignment``); these tables keep the
record of each assignment, so a loan assigned twice shows both, with the balance the buyer
took over and the creditor it came from.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.core.models import BaseModel
from arrears.portfolio.models import Creditor, Loan


class Assignment(BaseModel):
    """One assignment of debts: loans moved to ``to_creditor`` from the business date
    ``on``, for ``price`` (fen, when the sale states one), run by ``by``.

    The assignment binds each debtor only once the debtor is notified (民法典 art. 546): the
    notices are queued in the outbox when it is made and read back from there
    (``transfers.selectors``). ``created_at`` is also the moment the notices were queued.
    """

    to_creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned to")
    )
    on = models.DateField(_("assignment date"))
    price = models.BigIntegerField(_("price (fen)"), null=True, blank=True)
    by = models.CharField(_("by"), max_length=150, blank=True, default="")
    loans_count = models.PositiveIntegerField(_("loans"), default=0)
    # The outbox ids its notices were written under (one statement, so one range): how
    # each loan's notices are found again, by primary key, to read whether they were sent.
    notices_from_id = models.BigIntegerField(_("first notice"), null=True, blank=True)
    notices_to_id = models.BigIntegerField(_("last notice"), null=True, blank=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("assignment of debts")
        verbose_name_plural = _("assignments of debts")

    def __str__(self) -> str:
        return f"{self.to_creditor_id} {self.on} ({self.loans_count})"


class AssignmentLoan(models.Model):
    """One loan of an assignment: the creditor it came from, what it owed on the assignment
    date (principal outstanding plus overdue interest and fees, fen) and how many notices
    were queued for it (the borrower's letter and SMS, each guarantor's).

    Whether and when a notice was sent is read from the outbox at report time, never copied
    here (the outbox is the record of what left). Written in bulk (one row per loan of a
    portfolio sale), so no foreign-key constraints.
    """

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="loans", db_constraint=False
    )
    # Indexed by the (loan, assignment) index below, which starts with it.
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    from_creditor = models.ForeignKey(
        Creditor,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("assigned from"),
    )
    balance = models.BigIntegerField(_("balance on the assignment date (fen)"))
    borrower_notices = models.PositiveSmallIntegerField(_("notices to the borrower"), default=0)
    guarantor_notices = models.PositiveSmallIntegerField(_("notices to guarantors"), default=0)

    class Meta:
        ordering = ["assignment_id", "loan_id"]
        verbose_name = _("assigned loan")
        verbose_name_plural = _("assigned loans")
        indexes = [models.Index(fields=["loan", "assignment"], name="assignment_loan_loan")]

    def __str__(self) -> str:
        return f"{self.assignment_id} · {self.loan_id}"
