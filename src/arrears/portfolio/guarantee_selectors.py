"""Reading a loan's guarantees: each guarantor's period, the act that preserved it, and where
it stands on a date (``calculations.guarantee_period`` does the law)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Max

from arrears.portfolio.calculations.guarantee_period import (
    GuaranteeState,
    events_for,
    guarantee_state,
)
from arrears.portfolio.choices import GuaranteeKind, PartyRole
from arrears.portfolio.models import Installment, LimitationEvent, Loan, LoanParty

GUARANTEE_ROLES = (PartyRole.GUARANTOR, PartyRole.COUNTER_GUARANTOR)


def loan_guarantees(loan: Loan, *, on: date) -> list[tuple[LoanParty, GuaranteeState]]:
    """Each guarantor and counter-guarantor of ``loan`` with its guarantee's state on ``on``."""
    links = list(
        LoanParty.objects.filter(loan=loan, role__in=GUARANTEE_ROLES)
        .select_related("party")
        .order_by("id")
    )
    if not links:
        return []
    final_due = Installment.objects.filter(loan=loan).aggregate(last=Max("due_on"))["last"]
    events = list(
        LimitationEvent.objects.filter(loan=loan).values_list("occurred_on", "kind", "party_id")
    )
    found = []
    for link in links:
        kind = link.guarantee_kind or GuaranteeKind.JOINT
        state = guarantee_state(
            kind=kind,
            agreed_end=link.guarantee_period_ends_on,
            agreed_months=link.guarantee_period_months,
            main_due_on=final_due,
            accelerated_on=loan.accelerated_on,
            events=events_for(kind, link.party_id, events),
            on=on,
        )
        found.append((link, state))
    return found


def loan_guarantees_report(loan: Loan, *, on: date) -> list[dict[str, Any]]:
    """The ``guarantees`` list of the loan report: party (name as the parties list shows
    it) and its id, role, kind, period end, preserving act, status and, once preserved,
    when the guarantor's three-year limitation ends."""

    def iso(day: date | None) -> str | None:
        return day.isoformat() if day else None

    return [
        {
            "party": link.party.name,
            "party_id": link.party_id,
            "role": link.role,
            "kind": link.guarantee_kind or GuaranteeKind.JOINT.value,
            "period_ends_on": iso(state.period_ends_on),
            "preserved_on": iso(state.preserved_on),
            "status": state.status,
            "limitation_ends_on": iso(state.limitation_ends_on),
            "ending": state.is_ending(on),
        }
        for link, state in loan_guarantees(loan, on=on)
    ]
