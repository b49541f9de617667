"""Revealing a masked phone, email or ID number on a case: only for roles with the
capability, only for parties of the case's loan, and every reveal on the audit chain."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.accounts.roles import role_can
from arrears.cases.models import CollectionCase
from arrears.core import phones
from arrears.core.audit import audit_record
from arrears.core.errors import NotFound
from arrears.portfolio.models import ContactPoint, LoanParty, Party


def _require(user: User, capability: str) -> None:
    if not role_can(user.role, capability):
        raise PermissionDenied(_("your role may not do this"))


@transaction.atomic
def contact_point_reveal(*, user: User, contact_point_id: int, case: CollectionCase) -> str:
    """The full phone number (or email) of a contact point of one of the case's parties,
    for a role allowed to see it. Every reveal is audited as ``reveal.phone``."""
    _require(user, "reveal_phone")
    point = (
        ContactPoint.objects.filter(
            pk=contact_point_id,
            party_id__in=LoanParty.objects.filter(loan_id=case.loan_id).values("party_id"),
        )
        .only("pk", "value", "kind", "party_id")
        .first()
    )
    if point is None:
        raise NotFound(_("no such contact point on this case"))
    audit_record(
        actor=user,
        action="reveal.phone",
        subject_type="contact_point",
        subject_id=point.pk,
        data={"case": case.pk, "party": point.party_id, "kind": point.kind},
    )
    # A phone is stored in E.164 and read out as its country writes it (138 0013 8000);
    # a number abroad keeps its country code (+1 202-555-0143).
    return phones.national(point.value) if point.kind == "phone" else point.value


@transaction.atomic
def id_number_reveal(*, user: User, party_id: int, case: CollectionCase) -> str:
    """The full ID number of one of the case's parties, for a role allowed to see it.
    Every reveal is audited as ``reveal.id_number``."""
    _require(user, "reveal_id_number")
    if not LoanParty.objects.filter(loan_id=case.loan_id, party_id=party_id).exists():
        raise NotFound(_("no such party on this case"))
    party = Party.objects.only("pk", "id_number").get(pk=party_id)
    audit_record(
        actor=user,
        action="reveal.id_number",
        subject_type="party",
        subject_id=party.pk,
        data={"case": case.pk},
    )
    return party.id_number
