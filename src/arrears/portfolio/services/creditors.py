"""Creating creditors on first use."""

from __future__ import annotations

from django.db import transaction

from arrears.core.errors import InvalidInput
from arrears.core.phones import region_of_pack
from arrears.portfolio.models import Creditor


@transaction.atomic
def creditor_get_or_create(*, name: str) -> Creditor:
    """The creditor called ``name``, created when a tape names it for the first time."""
    clean = name.strip()
    if not clean:
        raise InvalidInput("creditor name is empty", field="creditor")
    creditor, _ = Creditor.objects.get_or_create(name=clean)
    return creditor


def creditor_phone_region(creditor: Creditor) -> str:
    """The country a phone number without country code is read in on ``creditor``'s tapes:
    the one its compliance policy pack implies (``core.phones.region_of_pack``: ``cn`` →
    CN, ``us-regf`` → US), CN for a creditor without a policy.

    The pack is the compliance app's, a floor above: it is read here by the name of the
    policy's relation to the creditor, never by importing that app, and only the pack's
    code crosses (one query per import).
    """
    pack = (
        Creditor.objects.filter(pk=creditor.pk)
        .values_list("compliance_policy__pack", flat=True)
        .first()
    )
    return region_of_pack(pack)
