"""Recording waivers (减免) in the ledger: the part of a loan's debt a creditor gave up."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from arrears.core.audit import audit_record
from arrears.core.errors import InvalidInput
from arrears.portfolio.models import Loan, Waiver
from arrears.portfolio.services.allocations import allocations_rebuild
from arrears.portfolio.services.payments_ingest import loans_payments_recorded


@transaction.atomic
def waiver_post(
    *,
    loan: Loan,
    reference: str,
    waived_on: date,
    principal: int = 0,
    interest: int = 0,
    fees: int = 0,
    penalty: int = 0,
    settlement_id: int | None = None,
    by: AbstractBaseUser | None = None,
) -> Waiver:
    """Record a waiver of ``loan`` as of ``waived_on`` and make the ledger follow.

    The loan's payments version moves, so the next daily cycle replays it; the allocation
    journal is rebuilt now, because payments after the waiver's day may settle other
    components than before. Whoever approved it is named in the audit log.
    """
    amounts = {"principal": principal, "interest": interest, "fees": fees, "penalty": penalty}
    for name, amount in amounts.items():
        if amount < 0:
            raise InvalidInput("a waiver cannot be negative", field=name)
    if not any(amounts.values()):
        raise InvalidInput("a waiver needs an amount", field="principal")
    if Waiver.objects.filter(reference=reference).exists():
        raise InvalidInput(f"waiver {reference} is recorded already", field="reference")
    waiver = Waiver.objects.create(
        loan=loan,
        reference=reference,
        settlement_id=settlement_id,
        waived_on=waived_on,
        recorded_by_id=by.pk if by is not None else None,
        **amounts,
    )
    loans_payments_recorded(loan_ids=[loan.pk])
    allocations_rebuild(loan_ids=[loan.pk])
    audit_record(
        actor=by,
        action="waiver.post",
        subject_type="loan",
        subject_id=loan.pk,
        data={"waiver": waiver.pk, "reference": reference, "on": waived_on.isoformat(), **amounts},
    )
    return waiver
