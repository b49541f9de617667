"""The loan report: a loan's terms, parties and state on a date as a JSON-ready dict.

One shape for ``arrears loan --json`` and ``GET /api/v1/loans/{loan_id}``. The keys named in
the portfolio issue are a contract: later features add keys, never rename these. Amounts
are yuan strings with two decimals, dates ISO 8601; phones, emails, addresses and ID numbers
are masked.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from arrears.core.masking import mask_address, mask_email, mask_id_number, mask_phone
from arrears.core.money import format_yuan
from arrears.portfolio.calculations.allocation import Components, LoanState
from arrears.portfolio.choices import ContactKind
from arrears.portfolio.guarantee_selectors import loan_guarantees_report
from arrears.portfolio.models import (
    ContactPoint,
    LimitationEvent,
    Loan,
    LoanParty,
    LoanPosition,
    Payment,
)

# The report's status on a date before the loan was disbursed (not a stored loan status).
NOT_DISBURSED = "not_disbursed"


def _amounts(components: Components) -> dict[str, str]:
    return {
        "principal": format_yuan(components.principal),
        "interest": format_yuan(components.interest),
        "fees": format_yuan(components.fees),
        "penalty": format_yuan(components.penalty),
    }


def _rate(value: Any) -> str:
    """A rate fraction as a plain decimal string: Decimal('0.12000000') → '0.12'."""
    return f"{value.normalize():f}"


def loan_parties_report(loan: Loan, *, reveal: bool = False) -> list[dict[str, Any]]:
    """The loan's parties with their contact points, masked unless ``reveal``."""
    links = (
        LoanParty.objects.filter(loan=loan)
        .select_related("party")
        .prefetch_related(
            Prefetch(
                "party__contact_points",
                queryset=ContactPoint.objects.order_by("kind", "-is_primary", "id"),
            )
        )
        .order_by("id")
    )
    maskers = {
        ContactKind.PHONE: mask_phone,
        ContactKind.EMAIL: mask_email,
        ContactKind.ADDRESS: mask_address,
    }
    parties = []
    for link in links:
        party = link.party
        contacts: dict[str, list[dict[str, Any]]] = {"phones": [], "emails": [], "addresses": []}
        for point in party.contact_points.all():
            shown = point.value if reveal else maskers[ContactKind(point.kind)](point.value)
            contacts[f"{point.kind}s" if point.kind != "address" else "addresses"].append(
                {"value": shown, "status": point.status, "primary": point.is_primary}
            )
        parties.append(
            {
                "role": link.role,
                "name": party.name,
                "kind": party.kind,
                "id_type": party.id_type,
                "id_number": party.id_number if reveal else mask_id_number(party.id_number),
                "employer": party.employer,
                **contacts,
            }
        )
    return parties


def loan_report(loan: Loan, state: LoanState, *, reveal: bool = False) -> dict[str, Any]:
    """Everything about ``loan`` on ``state.as_of`` in the contract's JSON shape."""
    totals_due = Components()
    totals_paid = Components()
    totals_outstanding = Components()
    schedule = []
    for item in state.installments:
        totals_due = totals_due + item.due
        totals_paid = totals_paid + item.paid
        totals_outstanding = totals_outstanding + item.outstanding
        schedule.append(
            {
                "seq": item.seq,
                "due_on": item.due_on.isoformat(),
                "due": _amounts(item.due),
                "paid": _amounts(item.paid),
                "outstanding": _amounts(item.outstanding),
                "overdue": item.is_overdue,
            }
        )
    payments = [
        {
            "payment_id": payment_id,
            "paid_on": paid_on.isoformat(),
            "amount": format_yuan(amount),
            "channel": channel,
        }
        for payment_id, paid_on, amount, channel in Payment.objects.filter(
            loan=loan, paid_on__lte=state.as_of
        )
        .order_by("paid_on", "payment_id")
        .values_list("payment_id", "paid_on", "amount", "channel")
    ]
    # Before the disbursement date nothing has been lent yet: the report says so rather than
    # showing the loan "active" with its whole principal outstanding.
    disbursed = state.as_of >= loan.disbursed_on
    return {
        "loan_id": loan.loan_id,
        "creditor": loan.creditor.name,
        "as_of": state.as_of.isoformat(),
        "status": loan.status if disbursed else NOT_DISBURSED,
        "terms": {
            "principal": format_yuan(loan.principal),
            "annual_rate": _rate(loan.annual_rate),
            "penalty_rate": _rate(loan.penalty_rate),
            "term_months": loan.term_months,
            "repayment_method": loan.repayment_method,
            "disbursed_on": loan.disbursed_on.isoformat(),
            "first_due_on": loan.first_due_on.isoformat() if loan.first_due_on else None,
            "grace_days": loan.grace_days,
            "day_count": loan.day_count,
            "allocation_order": loan.allocation_order.split(","),
            "currency": loan.currency,
            "product": loan.product.code if loan.product else None,
            "branch": loan.branch,
            "guarantee_type": loan.guarantee_type,
        },
        "parties": loan_parties_report(loan, reveal=reveal),
        "guarantees": loan_guarantees_report(loan, on=state.as_of),
        "dpd": state.dpd,
        "bucket": state.bucket,
        "principal_outstanding": format_yuan(state.principal_outstanding if disbursed else 0),
        "overdue": _amounts(state.overdue),
        "penalty_accrued": format_yuan(state.penalty_accrued),
        "credit_balance": format_yuan(state.credit_balance),
        "next_due_on": state.next_due_on.isoformat() if state.next_due_on else None,
        "totals": {
            "due": _amounts(totals_due),
            "paid": _amounts(totals_paid),
            "outstanding": _amounts(totals_outstanding),
        },
        "schedule": schedule,
        "payments": payments,
    }


def limitation_report(loan: Loan) -> dict[str, Any]:
    """A loan's recorded limitation events and the expiry date the last cycle stored."""
    position = LoanPosition.objects.filter(loan=loan).only("as_of", "limitation_expires_on").first()
    expires = position.limitation_expires_on if position else None
    return {
        "loan_id": loan.loan_id,
        "limitation_expires_on": expires.isoformat() if expires else None,
        "cycle_as_of": position.as_of.isoformat() if position else None,
        "events": [
            {
                "kind": event.kind,
                "occurred_on": event.occurred_on.isoformat(),
                "evidence": event.evidence,
                "note": event.note,
                "party_id": event.party_id,
                "recorded_at": event.created_at.isoformat(),
            }
            for event in LimitationEvent.objects.filter(loan=loan).order_by("occurred_on", "pk")
        ],
    }
