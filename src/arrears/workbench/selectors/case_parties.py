"""The parties of a case's loan as the case page shows them: each in its role, identity
and contact points masked (the page reveals one on request, audited), with its standing
at the compliance gate and the holds on it.

Addresses are masked by role: a collector (who phones) sees the district only
(北京市朝阳区****); those who visit, supervise, litigate or audit see the whole address."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from arrears.accounts.roles import ADMIN, AUDITOR, FIELD_AGENT, LEGAL, MANAGER, TEAM_LEAD
from arrears.compliance.models import Hold
from arrears.compliance.rules import LIABLE_ROLES
from arrears.core.frozen import FrozenQuery
from arrears.core.masking import mask_address, mask_email, mask_id_number, mask_phone
from arrears.portfolio.choices import ContactKind, ContactStatus, PartyRole
from arrears.portfolio.models import ContactPoint, Loan, LoanParty
from arrears.workbench.selectors.case_compliance import ComplianceToday

_MASKERS = {
    ContactKind.PHONE: mask_phone,
    ContactKind.EMAIL: mask_email,
    ContactKind.ADDRESS: mask_address,
}
# Roles that see a debtor's full address: a field agent goes there; a team lead, manager,
# legal officer or auditor supervises, sues or checks. A collector works by phone and sees
# the district only. (A candidate for accounts.roles.CAPABILITIES as "address_full".)
ADDRESS_IN_FULL = frozenset({FIELD_AGENT, TEAM_LEAD, MANAGER, LEGAL, AUDITOR, ADMIN})
_KIND_LABELS = dict(ContactKind.choices)
_STATUS_LABELS = dict(ContactStatus.choices)


@dataclass(frozen=True)
class ContactPointView:
    """A contact point as the page shows it: masked, with its validity."""

    id: int
    kind: str
    masked: str
    status: str
    is_primary: bool

    @property
    def kind_label(self) -> str:
        return str(_KIND_LABELS.get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))

    @property
    def is_invalid(self) -> bool:
        return self.status == ContactStatus.INVALID

    @property
    def revealable(self) -> bool:
        return self.kind == ContactKind.PHONE or self.kind == ContactKind.EMAIL


@dataclass(frozen=True)
class PartyView:
    """One party of the case's loan in one role, with masked identity and contact points."""

    id: int
    role: str
    role_label: str
    name: str
    id_masked: str
    has_id_number: bool
    employer: str
    liable: bool
    contact_points: list[ContactPointView]
    compliance: ComplianceToday
    holds: list[Hold]


def mask_point(kind: str, value: str, *, role: str = "") -> str:
    """A contact point's value as the page shows it to ``role``: phones and emails masked;
    an address in full for ``ADDRESS_IN_FULL`` roles, else down to its district."""
    if kind == ContactKind.ADDRESS and role in ADDRESS_IN_FULL:
        return value
    return _MASKERS.get(ContactKind(kind), mask_phone)(value)


_LINKS = FrozenQuery(
    lambda loan_id: (
        LoanParty.objects.filter(loan_id=loan_id).select_related("party").order_by("role", "id")
    )
)


# The contact points of the loan's parties, by the loan (not by a list of parties, whose
# length would make a statement of its own for each count).
_POINTS = FrozenQuery(
    lambda loan_id: ContactPoint.objects.filter(
        party_id__in=LoanParty.objects.filter(loan_id=loan_id).values("party_id")
    ).order_by("party_id", "kind", "-is_primary", "id")
)


def parties_of(loan: Loan) -> tuple[list[LoanParty], dict[int, list[ContactPoint]]]:
    """The loan's party links (with their parties) by role, and each party's contact points,
    primary first. Two queries."""
    links = _LINKS.list(loan_id=loan.pk)
    points: dict[int, list[ContactPoint]] = {}
    for point in _POINTS.list(loan_id=loan.pk):
        points.setdefault(point.party_id, []).append(point)
    return links, points


def phones_to_call(points: Mapping[int, list[ContactPoint]]) -> dict[int, str]:
    """Each party's phone a call would go to: its first not known to be invalid."""
    return {
        party_id: next(
            (
                p.value
                for p in own
                if p.kind == ContactKind.PHONE and p.status != ContactStatus.INVALID
            ),
            "",
        )
        for party_id, own in points.items()
    }


def party_views(
    links: Sequence[LoanParty],
    points: Mapping[int, list[ContactPoint]],
    standings: Mapping[int, ComplianceToday],
    holds: Sequence[Hold],
    *,
    role: str = "",
) -> list[PartyView]:
    """The page's view of each link for a reader in ``role``, with its standing (by link
    id) and the holds in force on its party (``holds``: those in force on the loan and its
    parties). Without a role, addresses are masked too."""
    role_labels = dict(PartyRole.choices)
    return [
        PartyView(
            id=link.party.pk,
            role=link.role,
            role_label=str(role_labels.get(link.role, link.role)),
            name=link.party.name,
            id_masked=mask_id_number(link.party.id_number),
            has_id_number=bool(link.party.id_number),
            employer=link.party.employer,
            liable=link.role in LIABLE_ROLES,
            contact_points=[
                ContactPointView(
                    id=p.pk,
                    kind=p.kind,
                    masked=mask_point(p.kind, p.value, role=role),
                    status=p.status,
                    is_primary=p.is_primary,
                )
                for p in points.get(link.party_id, [])
            ],
            compliance=standings[link.pk],
            holds=[h for h in holds if h.party_id == link.party_id],
        )
        for link in links
    ]
