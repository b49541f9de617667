"""A payment posted during the day stops the day's contact with a borrower it brought
current: composed here, the lowest floor that reaches both the case's work (cases) and the
outbox (outreach).

The loan is replayed on the business date with the new payment. Still overdue: nothing
changes, the work and the messages stand (a partial payment is no reason to stop asking).
Current (DPD 0): the open case's calls and visits due today are cancelled
(``cases.payment_effects``) and its queued messages too, each with the reason ``paid:``;
one audit entry names them. A message a worker already took (``claimed``, ``sending``) is
in flight and is left to finish: cancelling it under the worker would lose the record of
a text that was sent. The case closes at the next cycle, as of that cycle's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from arrears.cases.payment_effects import contact_work_cancel_paid
from arrears.core.audit import audit_record
from arrears.outreach.choices import MessageStatus
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.calculations.allocation import LoanState
from arrears.portfolio.models import Loan
from arrears.portfolio.selectors import loan_state


@dataclass(frozen=True)
class PaymentEffects:
    """The loan replayed on the business date, and the contact withdrawn because of it."""

    state: LoanState
    case_id: int | None = None
    work_item_ids: tuple[int, ...] = ()
    message_ids: tuple[int, ...] = ()


@transaction.atomic
def payment_effects_apply(
    *,
    loan: Loan,
    on: date,
    payment_id: str = "",
    by: AbstractBaseUser | None = None,
) -> PaymentEffects:
    """Replay ``loan`` on business date ``on`` (after a payment was posted) and, when
    nothing is overdue any more, withdraw the open case's calls and visits due by the end
    of ``on`` and its queued messages, recording ``case.contacts_withdrawn`` with reason
    ``paid``. Call it in the transaction that posted the payment; running it again changes
    nothing."""
    state = loan_state(loan, as_of=on)
    if state.dpd > 0:
        return PaymentEffects(state)
    work = contact_work_cancel_paid(loan_id=loan.pk, on=on)
    if work.case_id is None:
        return PaymentEffects(state)
    # Locked first: the worker's claim skips locked rows (SKIP LOCKED), so a message is
    # either cancelled here or already in a worker's hands, never both.
    message_ids = list(
        OutboxMessage.objects.select_for_update()
        .filter(case_id=work.case_id, status=MessageStatus.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    reason = f"paid: payment {payment_id} brought the loan current" if payment_id else "paid"
    if message_ids:
        OutboxMessage.objects.filter(pk__in=message_ids).update(
            status=MessageStatus.CANCELLED, error=reason, updated_at=timezone.now()
        )
    if work.work_item_ids or message_ids:
        audit_record(
            actor=by,
            action="case.contacts_withdrawn",
            subject_type="case",
            subject_id=work.case_id,
            data={
                "reason": "paid",
                "payment_id": payment_id,
                "on": on.isoformat(),
                "work_items": list(work.work_item_ids),
                "messages": message_ids,
            },
        )
    return PaymentEffects(state, work.case_id, work.work_item_ids, tuple(message_ids))
