"""Recording what restarts a loan's limitation period (诉讼时效中断)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from arrears.core.errors import InvalidInput
from arrears.portfolio.choices import LimitationEventKind
from arrears.portfolio.models import LimitationEvent, Loan


def limitation_event_check(*, loan: Loan, kind: str, occurred_on: date, evidence: str) -> None:
    """Raise ``InvalidInput`` (naming the field) when the event cannot be recorded."""
    if kind not in LimitationEventKind.values:
        choices = ", ".join(LimitationEventKind.values)
        raise InvalidInput(f"kind must be one of {choices}, not {kind!r}", field="kind")
    if occurred_on > timezone.localdate():
        raise InvalidInput(
            f"{occurred_on} is in the future: record an event once it has happened",
            field="occurred_on",
        )
    if occurred_on < loan.disbursed_on:
        raise InvalidInput(
            f"{occurred_on} is before the loan was disbursed ({loan.disbursed_on})",
            field="occurred_on",
        )
    if not evidence.strip():
        # An interruption a court will not see proved does not count: a demand must be
        # shown to have reached the borrower, an acknowledgment to come from them.
        raise InvalidInput(
            "evidence is required: where the proof is kept (a delivery receipt, a call"
            " recording, a signed confirmation, a court docket number)",
            field="evidence",
        )


@transaction.atomic
def limitation_event_record(
    *,
    loan: Loan,
    kind: str,
    occurred_on: date,
    evidence: str = "",
    note: str = "",
    recorded_by: Any = None,
) -> LimitationEvent:
    """Record a demand, acknowledgment or legal action that restarts the limitation period.

    The loan's row stamp moves in the same transaction, so the next cycle rebuilds its
    position and the new expiry date shows from that cycle on. An event dated after the
    cycle's business date counts from its own day.
    """
    limitation_event_check(loan=loan, kind=kind, occurred_on=occurred_on, evidence=evidence)
    event = LimitationEvent.objects.create(
        loan=loan,
        kind=kind,
        occurred_on=occurred_on,
        evidence=evidence.strip(),
        note=note.strip(),
        recorded_by=recorded_by,
    )
    Loan.objects.filter(pk=loan.pk).update(updated_at=timezone.now())
    return event
