"""Writes of the cases app that other apps call (the daily cycle's are in ``batch``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from arrears.cases.choices import WorkItemStatus
from arrears.cases.models import WorkItem


@transaction.atomic
def work_items_cancel_for_case(*, case_id: int) -> int:
    """Withdraw the case's open work items (the case was paused or moved)."""
    return WorkItem.objects.filter(case_id=case_id, status=WorkItemStatus.OPEN).update(
        status=WorkItemStatus.CANCELLED, closed_at=timezone.now()
    )
