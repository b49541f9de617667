"""Creating creditors on first use."""

from __future__ import annotations

from django.db import transaction

from arrears.core.errors import InvalidInput
from arrears.portfolio.models import Creditor


@transaction.atomic
def creditor_get_or_create(*, name: str) -> Creditor:
    """The creditor called ``name``, created when a tape names it for the first time."""
    clean = name.strip()
    if not clean:
        raise InvalidInput("creditor name is empty", field="creditor")
    creditor, _ = Creditor.objects.get_or_create(name=clean)
    return creditor
