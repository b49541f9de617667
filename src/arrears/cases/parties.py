"""A person's place on a case: the role they hold on the case's loan."""

from __future__ import annotations

from django.utils.translation import gettext as _

from arrears.cases.models import CollectionCase
from arrears.core.errors import InvalidInput
from arrears.portfolio.models import LoanParty, Party


def case_party_role(case: CollectionCase, party: Party) -> str:
    """The role of ``party`` on the case's loan (its first, when it holds several), or
    ``InvalidInput`` when the party has none."""
    role = (
        LoanParty.objects.filter(loan_id=case.loan_id, party=party)
        .order_by("pk")
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise InvalidInput(_("this person is not a party to the case's loan"), field="party")
    return role
