"""Correcting a loan's booked terms (a keying error in principal, rate, term or dates).

The one way a loan's money changes after it was booked, other than a new tape before
repayment began: the terms are checked against the bounds every way in keeps, the schedule
is rebuilt by the same pure ``build_schedule`` the import uses, the audit chain records who
changed what from what to what and why, and the loan's row stamp moves, so the next cycle
rebuilds its position from scratch (``batch.replay.stale_loans`` compares it with the
stamp the position was computed from).

Refused once a payment or a waiver is on file: the ledger then has allocations and a
history computed from the old schedule, and the import freezes terms at that point for the
same reason (``loans_ingest.FINANCIAL_TERMS``). Such a loan is corrected by the creditor's
own process (a reversal and a new loan), not by rewriting what was already settled.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.core.audit import audit_record
from arrears.core.bounds import amount_check, date_check
from arrears.core.errors import InvalidInput
from arrears.portfolio.calculations.schedule import RepaymentMethod, build_schedule
from arrears.portfolio.models import Installment, Loan, Payment, Waiver
from arrears.portfolio.services.loans_ingest import RATE_QUANTUM

# The same limits the loan tape keeps (tape.validation): a term of 1–600 months, rates as
# fractions from 0 to 1 (0 % to 100 % a year).
TERM_MONTHS_MAX = 600
RATE_MAX = Decimal(1)

# The terms a correction may change, in the order the audit entry lists them.
CORRECTABLE = (
    "principal",
    "annual_rate",
    "penalty_rate",
    "term_months",
    "repayment_method",
    "disbursed_on",
    "first_due_on",
)

# "Leave as it is", distinct from None (a first due date of None means one month after
# disbursement).
UNCHANGED: Any = object()


def _rate(value: Decimal, field: str) -> Decimal:
    rate = Decimal(value).quantize(RATE_QUANTUM, ROUND_HALF_UP)
    if not Decimal(0) <= rate <= RATE_MAX:
        raise InvalidInput(_("a rate must be between 0 and 100 percent a year"), field=field)
    return rate


def _jsonable(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _checked_terms(loan: Loan, asked: dict[str, Any]) -> dict[str, Any]:
    """The loan's terms after the correction, every new value checked; raises InvalidInput."""
    terms = {name: getattr(loan, name) for name in CORRECTABLE}
    for name, value in asked.items():
        if value is not UNCHANGED:
            terms[name] = value
    terms["principal"] = amount_check(int(terms["principal"]), field="principal", allow_zero=False)
    terms["annual_rate"] = _rate(terms["annual_rate"], "annual_rate")
    terms["penalty_rate"] = _rate(terms["penalty_rate"], "penalty_rate")
    term = int(terms["term_months"])
    if not 1 <= term <= TERM_MONTHS_MAX:
        raise InvalidInput(
            _("the term must be 1 to %(max)s months") % {"max": TERM_MONTHS_MAX},
            field="term_months",
        )
    if terms["repayment_method"] not in {method.value for method in RepaymentMethod}:
        raise InvalidInput(_("unknown repayment method"), field="repayment_method")
    date_check(terms["disbursed_on"], field="disbursed_on")
    first_due_on = terms["first_due_on"]
    if first_due_on is not None:
        date_check(first_due_on, field="first_due_on")
        if first_due_on <= terms["disbursed_on"]:
            raise InvalidInput(
                _("the first due date must be after the disbursement date"),
                field="first_due_on",
            )
    return terms


@transaction.atomic
def loan_correct(
    *,
    loan: Loan,
    by: AbstractBaseUser | None,
    reason: str,
    principal: int = UNCHANGED,
    annual_rate: Decimal = UNCHANGED,
    penalty_rate: Decimal = UNCHANGED,
    term_months: int = UNCHANGED,
    repayment_method: str = UNCHANGED,
    disbursed_on: date = UNCHANGED,
    first_due_on: date | None = UNCHANGED,
) -> Loan:
    """Correct ``loan``'s terms (amounts in fen, rates as fractions), rebuild its schedule
    and record the change with ``reason`` on the audit chain as ``loan.correct``.

    Raises ``InvalidInput`` (naming the field) for a value out of bounds, for a correction
    that changes nothing, without a reason, or for a loan with a payment or waiver on file.
    """
    if not reason.strip():
        raise InvalidInput(_("say why the loan is corrected"), field="reason")
    # The row lock orders this after (or before) a payment being recorded for the loan,
    # so the check below sees every payment that will ever meet the old schedule.
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    if Payment.objects.filter(loan=loan).exists() or Waiver.objects.filter(loan=loan).exists():
        raise InvalidInput(
            _(
                "repayment has begun on this loan: its terms are frozen, because payments"
                " were allocated by the schedule on file"
            ),
            field=None,
        )
    asked = {
        "principal": principal,
        "annual_rate": annual_rate,
        "penalty_rate": penalty_rate,
        "term_months": term_months,
        "repayment_method": repayment_method,
        "disbursed_on": disbursed_on,
        "first_due_on": first_due_on,
    }
    terms = _checked_terms(loan, asked)
    changed = [name for name in CORRECTABLE if terms[name] != getattr(loan, name)]
    if not changed:
        raise InvalidInput(_("the correction changes nothing"), field=None)
    before = {name: _jsonable(getattr(loan, name)) for name in changed}
    for name in changed:
        setattr(loan, name, terms[name])
    # A new stamp: the cycle's position of this loan no longer matches and is rebuilt.
    loan.updated_at = timezone.now()
    loan.save(update_fields=[*changed, "updated_at"])
    # Deleting the installments takes their positions with them (cascade); none has an
    # allocation, since no payment is on file.
    Installment.objects.filter(loan=loan).delete()
    Installment.objects.bulk_create(
        Installment(
            loan=loan,
            seq=item.seq,
            due_on=item.due_on,
            principal=item.principal,
            interest=item.interest,
            fees=item.fees,
        )
        for item in build_schedule(
            principal=loan.principal,
            annual_rate=loan.annual_rate,
            term_months=loan.term_months,
            method=loan.repayment_method,
            disbursed_on=loan.disbursed_on,
            first_due_on=loan.first_due_on,
        )
    )
    audit_record(
        actor=by,
        action="loan.correct",
        subject_type="loan",
        subject_id=loan.pk,
        data={
            "loan_id": loan.loan_id,
            "reason": reason.strip(),
            "before": before,
            "after": {name: _jsonable(getattr(loan, name)) for name in changed},
        },
    )
    return loan
