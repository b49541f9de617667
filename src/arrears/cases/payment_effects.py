"""What a payment that brings a loan current does at once to the work on its case.

The daily cycle closes a cured case (DPD back to 0) and withdraws its open work; a payment
posted during the day (``POST /api/v1/payments``, a provider's notice) cannot wait for
that, or a collector would call a borrower who paid an hour ago. So the case's open calls
and visits due by the end of the business day are cancelled now. The case itself stays
open until the next cycle closes it as of its date, with the cycle's own reasons and
bucket spells; later work (a visit planned for next week) is withdrawn by that cycle too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from arrears.cases.choices import CaseStatus, WorkItemStatus
from arrears.cases.models import CollectionCase, WorkItem

# Work that reaches the borrower: a call or a visit. Reviews, placements and legal
# referrals are decisions about the case, left for the cycle to withdraw when it closes.
CONTACT_WORK_TYPES = ("call", "visit")


@dataclass(frozen=True)
class WorkWithdrawn:
    """The loan's open case (None without one) and the work items cancelled on it."""

    case_id: int | None
    work_item_ids: tuple[int, ...] = ()


def _day_end(on: date) -> datetime:
    return timezone.make_aware(datetime.combine(on + timedelta(days=1), time.min))


@transaction.atomic
def contact_work_cancel_paid(*, loan_id: int, on: date) -> WorkWithdrawn:
    """Cancel the open calls and visits of ``loan_id``'s open case that are due by the end
    of business date ``on`` (the caller has found the loan current on ``on``).

    The items are locked in key order first, so a collector recording the call at the same
    moment either closes the item as done before this or finds it cancelled after.
    """
    case_id = (
        CollectionCase.objects.filter(loan_id=loan_id, status=CaseStatus.OPEN)
        .values_list("pk", flat=True)
        .first()
    )
    if case_id is None:
        return WorkWithdrawn(None)
    ids = list(
        WorkItem.objects.select_for_update()
        .filter(
            case_id=case_id,
            status=WorkItemStatus.OPEN,
            type__in=CONTACT_WORK_TYPES,
            due_at__lt=_day_end(on),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        WorkItem.objects.filter(pk__in=ids).update(
            status=WorkItemStatus.CANCELLED, closed_at=timezone.now()
        )
    return WorkWithdrawn(case_id, tuple(ids))
