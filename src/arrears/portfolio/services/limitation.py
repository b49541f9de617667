"""Recording what restarts a loan's limitation period (诉讼时效中断), and the acts against a
guarantor that preserve a guarantee (保证期间, 民法典 art. 693)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.core.errors import InvalidInput
from arrears.portfolio.choices import LimitationEventKind, PartyRole
from arrears.portfolio.models import LimitationEvent, Loan, LoanParty, Party

GUARANTEE_ROLES = (PartyRole.GUARANTOR, PartyRole.COUNTER_GUARANTOR)


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


def loan_guarantor_ids(loan: Loan) -> list[int]:
    """The party ids of ``loan``'s guarantors and counter-guarantors, in the order added."""
    return list(
        LoanParty.objects.filter(loan=loan, role__in=GUARANTEE_ROLES)
        .order_by("id")
        .values_list("party_id", flat=True)
        .distinct()
    )


def _party_check(loan: Loan, party: Party | int | None) -> int | None:
    if party is None:
        return None
    party_id = party if isinstance(party, int) else party.pk
    if party_id not in loan_guarantor_ids(loan):
        raise InvalidInput(
            _("party %(party)s is not a guarantor of loan %(loan)s")
            % {"party": party_id, "loan": loan.loan_id},
            field="party",
        )
    return party_id


@transaction.atomic
def limitation_event_record(
    *,
    loan: Loan,
    kind: str,
    occurred_on: date,
    evidence: str = "",
    note: str = "",
    recorded_by: Any = None,
    party: Party | int | None = None,
    accelerated: bool = False,
) -> LimitationEvent:
    """Record a demand, acknowledgment or legal action that restarts the limitation period.

    With ``party`` (a guarantor or counter-guarantor of the loan, else ``InvalidInput``)
    the act is against that guarantor: a demand preserves a joint guarantee, a suit or
    arbitration naming them any guarantee, if inside the guarantee period; only a suit
    also restarts the debtor's own period. ``accelerated`` records that this act declared
    the whole loan due (宣布提前到期): the loan's ``accelerated_on`` becomes the day, unless an
    earlier one is on file, and the guarantee periods count from it.

    The loan's row stamp moves in the same transaction, so the next cycle rebuilds its
    position and the new expiry date shows from that cycle on. An event dated after the
    cycle's business date counts from its own day.
    """
    limitation_event_check(loan=loan, kind=kind, occurred_on=occurred_on, evidence=evidence)
    party_id = _party_check(loan, party)
    event = LimitationEvent.objects.create(
        loan=loan,
        kind=kind,
        occurred_on=occurred_on,
        evidence=evidence.strip(),
        note=note.strip(),
        recorded_by=recorded_by,
        party_id=party_id,
    )
    changes: dict[str, Any] = {"updated_at": timezone.now()}
    if accelerated and (loan.accelerated_on is None or occurred_on < loan.accelerated_on):
        changes["accelerated_on"] = occurred_on
        loan.accelerated_on = occurred_on
    Loan.objects.filter(pk=loan.pk).update(**changes)
    return event


@transaction.atomic
def limitation_events_record_guarantors(
    *,
    loan: Loan,
    kind: str,
    occurred_on: date,
    evidence: str = "",
    note: str = "",
    recorded_by: Any = None,
) -> list[LimitationEvent]:
    """The same act recorded against every guarantor and counter-guarantor of ``loan`` (a
    demand letter sent to each, a suit naming them all); ``InvalidInput`` when it has none."""
    party_ids = loan_guarantor_ids(loan)
    if not party_ids:
        raise InvalidInput(
            _("loan %(loan)s has no guarantor") % {"loan": loan.loan_id}, field="party"
        )
    return [
        limitation_event_record(
            loan=loan,
            kind=kind,
            occurred_on=occurred_on,
            evidence=evidence,
            note=note,
            recorded_by=recorded_by,
            party=party_id,
        )
        for party_id in party_ids
    ]
