"""Writes to a party's contact points that other apps ask for."""

from __future__ import annotations

from django.utils import timezone

from arrears.portfolio.choices import ContactStatus
from arrears.portfolio.models import ContactPoint


def contact_point_invalidate(*, contact_point_id: int) -> int:
    """Mark a phone, email or address invalid (a collector found it wrong or out of service),
    so the plan and the outbox stop using it; returns 1 when it was found."""
    return ContactPoint.objects.filter(pk=contact_point_id).update(
        status=ContactStatus.INVALID, updated_at=timezone.now()
    )
