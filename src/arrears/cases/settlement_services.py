"""Writes of settlements and waivers (减免/和解): requesting one, deciding one.

A request names what to give up by component (penalty, interest, fees, principal), never
more than the loan owes of it on the day, and usually what the borrower pays for it and by
when. Within the requester's authority (``AuthorityLimit``: a largest total and a largest
principal part) it is approved and posted at once; beyond it, it waits for someone whose
limits cover it. Approval posts a ``portfolio.Waiver``, so the loan's balance, the case
page and the next daily cycle all show the effect.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from arrears.accounts.models import User
from arrears.cases.choices import CaseStatus, SettlementStatus
from arrears.cases.models import CollectionCase, Settlement
from arrears.cases.plan_services import authority_of
from arrears.core.audit import audit_record
from arrears.core.errors import Forbidden, InvalidInput
from arrears.core.money import format_yuan
from arrears.portfolio.models import Loan
from arrears.portfolio.selectors import loan_state
from arrears.portfolio.services import waiver_post

COMPONENTS = ("principal", "interest", "fees", "penalty")


def settlement_within_authority(*, role: str, settlement: Settlement) -> bool:
    """May someone in ``role`` grant this waiver on their own: its total, its principal part
    and every component it waives within the role's limits?"""
    limit = authority_of(role)
    waived = {name for name in COMPONENTS if getattr(settlement, f"waive_{name}") > 0}
    return (
        settlement.total_waived <= limit.waiver_max_total
        and settlement.waive_principal <= limit.waiver_max_principal
        and waived <= limit.waivable_components()
    )


def waivable(loan: Loan, on: date) -> dict[str, int]:
    """What of each component the loan owes on ``on`` and a waiver could lower: everything
    due of interest, fees and penalty, and all outstanding principal (due or not)."""
    state = loan_state(loan, as_of=on)
    due = [item for item in state.installments if item.due_on <= on]
    return {
        "principal": state.principal_outstanding,
        "interest": sum(item.outstanding.interest for item in due),
        "fees": sum(item.outstanding.fees for item in due),
        "penalty": sum(item.outstanding.penalty for item in due),
    }


def _post(settlement: Settlement, by: User, on: date) -> None:
    waiver = waiver_post(
        loan=Loan.objects.get(pk=settlement.loan_id),
        reference=f"settlement-{settlement.pk}",
        settlement_id=settlement.pk,
        waived_on=on,
        principal=settlement.waive_principal,
        interest=settlement.waive_interest,
        fees=settlement.waive_fees,
        penalty=settlement.waive_penalty,
        by=by,
    )
    settlement.payment_id = waiver.pk


@transaction.atomic
def settlement_request(
    *,
    case: CollectionCase,
    by: User,
    reason: str,
    on: date,
    waive_principal: int = 0,
    waive_interest: int = 0,
    waive_fees: int = 0,
    waive_penalty: int = 0,
    pay_amount: int = 0,
    pay_by: date | None = None,
) -> Settlement:
    """Ask to waive parts of the loan of ``case`` as of ``on``; approved and posted at once
    when within ``by``'s authority."""
    if case.status != CaseStatus.OPEN:
        raise InvalidInput("the case is closed", field="case")
    if not reason.strip():
        raise InvalidInput("say why the creditor should give this up", field="reason")
    asked = dict(
        zip(COMPONENTS, (waive_principal, waive_interest, waive_fees, waive_penalty), strict=True)
    )
    for name, amount in asked.items():
        if amount < 0:
            raise InvalidInput("an amount cannot be negative", field=f"waive_{name}")
    if not any(asked.values()):
        raise InvalidInput("name at least one amount to waive", field="waive_penalty")
    if pay_amount < 0:
        raise InvalidInput("an amount cannot be negative", field="pay_amount")
    if pay_amount and pay_by is None:
        raise InvalidInput("say by when the borrower pays", field="pay_by")
    if pay_by is not None and pay_by < on:
        raise InvalidInput("the payment date cannot be before today", field="pay_by")
    owed = waivable(Loan.objects.get(pk=case.loan_id), on)
    for name, amount in asked.items():
        if amount > owed[name]:
            raise InvalidInput(
                f"more than the {name} owed ({format_yuan(owed[name])} yuan)",
                field=f"waive_{name}",
            )
    settlement = Settlement.objects.create(
        case=case,
        loan_id=case.loan_id,
        waive_principal=waive_principal,
        waive_interest=waive_interest,
        waive_fees=waive_fees,
        waive_penalty=waive_penalty,
        pay_amount=pay_amount,
        pay_by=pay_by,
        reason=reason.strip(),
        requested_by=by,
        made_on=on,
    )
    within = settlement_within_authority(role=by.role, settlement=settlement)
    if within:
        settlement.status = SettlementStatus.APPROVED
        settlement.decided_by, settlement.decided_at = by, timezone.now()
        settlement.decision_note = "within the requester's authority"
        _post(settlement, by, on)
        settlement.save()
    audit_record(
        actor=by,
        action="settlement.request",
        subject_type="settlement",
        subject_id=settlement.pk,
        data={
            "case": case.pk,
            "loan": case.loan_id,
            **{f"waive_{name}": amount for name, amount in asked.items()},
            "pay_amount": pay_amount,
            "pay_by": pay_by.isoformat() if pay_by else None,
            "status": settlement.status,
            "on": on.isoformat(),
        },
    )
    return settlement


@transaction.atomic
def settlement_decide(
    *, settlement: Settlement, by: User, approve: bool, note: str, on: date
) -> Settlement:
    """Approve (and post) or reject a settlement waiting for approval. Only someone whose
    authority covers it may decide; amounts the loan no longer owes (it was paid since) are
    refused rather than posted."""
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if settlement.status != SettlementStatus.PENDING:
        raise InvalidInput("the settlement is not waiting for a decision", field="settlement")
    if not settlement_within_authority(role=by.role, settlement=settlement):
        raise Forbidden("this waiver is beyond your authority")
    if not approve and not note.strip():
        raise InvalidInput("say why the settlement is rejected", field="note")
    settlement.decided_by, settlement.decided_at = by, timezone.now()
    settlement.decision_note = note.strip()
    if approve:
        owed = waivable(Loan.objects.get(pk=settlement.loan_id), on)
        for name in COMPONENTS:
            if getattr(settlement, f"waive_{name}") > owed[name]:
                raise InvalidInput(
                    f"the loan owes only {format_yuan(owed[name])} yuan of {name} now",
                    field=f"waive_{name}",
                )
        settlement.status = SettlementStatus.APPROVED
        _post(settlement, by, on)
    else:
        settlement.status = SettlementStatus.REJECTED
    settlement.save()
    audit_record(
        actor=by,
        action="settlement.approve" if approve else "settlement.reject",
        subject_type="settlement",
        subject_id=settlement.pk,
        data={
            "case": settlement.case_id,
            "waiver": settlement.payment_id,
            "note": settlement.decision_note,
            "on": on.isoformat(),
        },
    )
    return settlement
