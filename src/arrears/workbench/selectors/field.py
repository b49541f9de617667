"""Reads of field work for the workbench: a case's visits with their evidence, each
contact point's history, the field agent's visit route ordered by district, and the
skip-trace queue. Every read is scoped (``cases_visible_to``) and addresses are masked
for the reader's role (``case_parties.mask_point``). Query counts do not grow with rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from arrears.accounts.models import User
from arrears.cases.choices import CaseStatus, WorkItemStatus
from arrears.cases.models import CollectionCase, WorkItem
from arrears.cases.scoping import cases_visible_to
from arrears.core.errors import NotFound
from arrears.field.choices import ContactEventKind, ContactSource, VisitOutcome
from arrears.field.districts import district_of, route_key
from arrears.field.models import ContactPointEvent, EmployerChange, Visit, VisitEvidence
from arrears.portfolio.choices import ContactKind, ContactStatus, PartyRole
from arrears.portfolio.models import ContactPoint, LoanParty
from arrears.workbench.selectors.case_parties import mask_point

_OUTCOMES = dict(VisitOutcome.choices)
_SOURCES = dict(ContactSource.choices)
_EVENTS = dict(ContactEventKind.choices)
_STATUSES = dict(ContactStatus.choices)


@dataclass(frozen=True)
class EvidenceView:
    """An evidence file as listed: its id, name, type, size and SHA-256."""

    id: int
    name: str
    content_type: str
    size: int
    sha256: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


@dataclass(frozen=True)
class VisitView:
    """A visit as the case page and the report show it, the address masked for the reader."""

    id: int
    case_id: int
    party: str
    address: str
    staff: list[str]
    arrived_at: datetime
    left_at: datetime
    outcome: str
    notes: str
    latitude: object
    longitude: object
    activity_sha256: str
    evidence: list[EvidenceView] = field(default_factory=list)

    @property
    def outcome_label(self) -> str:
        return str(_OUTCOMES.get(self.outcome, self.outcome))


def _visit_views(visits: list[Visit], role: str) -> list[VisitView]:
    if not visits:
        return []
    ids = [v.pk for v in visits]
    evidence: dict[int, list[EvidenceView]] = defaultdict(list)
    for item in VisitEvidence.objects.filter(visit_id__in=ids).order_by("visit_id", "id"):
        evidence[item.visit_id].append(
            EvidenceView(item.pk, item.name, item.content_type, item.size, item.sha256)
        )
    colleagues: dict[int, list[str]] = defaultdict(list)
    through = Visit.colleagues.through
    for visit_id, name in (
        through.objects.filter(visit_id__in=ids)
        .order_by("user__username")
        .values_list("visit_id", "user__username")
    ):
        colleagues[visit_id].append(name)
    return [
        VisitView(
            id=v.pk,
            case_id=v.case_id,
            party=v.party.name,
            address=mask_point(ContactKind.ADDRESS, v.address.value, role=role),
            staff=[v.by.get_username(), *colleagues[v.pk]],
            arrived_at=v.arrived_at,
            left_at=v.left_at,
            outcome=v.outcome,
            notes=v.notes,
            latitude=v.latitude,
            longitude=v.longitude,
            activity_sha256=v.activity.sha256,
            evidence=evidence[v.pk],
        )
        for v in visits
    ]


def _visits() -> object:
    return Visit.objects.select_related("party", "address", "by", "activity")


def visits_of_case(*, case: CollectionCase, user: User) -> list[VisitView]:
    """The case's visits, newest first (the caller has checked the case is in scope)."""
    visits = list(_visits().filter(case_id=case.pk).order_by("-arrived_at", "-id"))  # type: ignore[attr-defined]
    return _visit_views(visits, user.role)


def visit_for(*, user: User, visit_id: int) -> VisitView:
    """One visit of a case ``user`` may see; ``NotFound`` otherwise."""
    visit = (
        _visits()  # type: ignore[attr-defined]
        .filter(pk=visit_id, case_id__in=cases_visible_to(user).values("pk"))
        .first()
    )
    if visit is None:
        raise NotFound(f"visit {visit_id} not found")
    return _visit_views([visit], user.role)[0]


def evidence_for(*, user: User, evidence_id: int) -> VisitEvidence:
    """One evidence file of a visit on a case ``user`` may see; ``NotFound`` otherwise."""
    item = (
        VisitEvidence.objects.select_related("visit")
        .filter(pk=evidence_id, visit__case_id__in=cases_visible_to(user).values("pk"))
        .first()
    )
    if item is None:
        raise NotFound(f"evidence {evidence_id} not found")
    return item


@dataclass(frozen=True)
class HistoryEntry:
    """One step of a contact point's (or a party's employer's) history."""

    at: datetime
    what: str
    change: str
    reason: str
    source: str
    by: str


@dataclass(frozen=True)
class PointHistory:
    """A contact point with its history, masked for the reader."""

    id: int
    party: str
    kind: str
    masked: str
    status: str
    entries: list[HistoryEntry]

    @property
    def status_label(self) -> str:
        return str(_STATUSES.get(self.status, self.status))

    @property
    def kind_label(self) -> str:
        return str(dict(ContactKind.choices).get(self.kind, self.kind))


def contact_histories(*, case: CollectionCase, user: User) -> list[PointHistory]:
    """Every contact point of the case's parties with its history. Two queries."""
    points = list(
        ContactPoint.objects.filter(party__loan_roles__loan_id=case.loan_id)
        .select_related("party")
        .distinct()
        .order_by("party__name", "party_id", "kind", "id")
    )
    events: dict[int, list[HistoryEntry]] = defaultdict(list)
    for event in (
        ContactPointEvent.objects.filter(contact_point_id__in=[p.pk for p in points])
        .select_related("by")
        .order_by("at", "id")
    ):
        events[event.contact_point_id].append(
            HistoryEntry(
                at=event.at,
                what=str(_EVENTS.get(event.kind, event.kind)),
                change=" → ".join(
                    str(_STATUSES.get(s, s)) for s in (event.from_status, event.to_status) if s
                ),
                reason=event.reason,
                source=str(_SOURCES.get(event.source, event.source)),
                by=event.by.get_username() if event.by else "",
            )
        )
    return [
        PointHistory(
            id=p.pk,
            party=p.party.name,
            kind=p.kind,
            masked=mask_point(p.kind, p.value, role=user.role),
            status=p.status,
            entries=events[p.pk],
        )
        for p in points
    ]


def employer_histories(*, case: CollectionCase) -> list[tuple[str, HistoryEntry]]:
    """Every employer change of the case's parties (party name, entry), oldest first."""
    party_ids = LoanParty.objects.filter(loan_id=case.loan_id).values("party_id")
    return [
        (
            change.party.name,
            HistoryEntry(
                at=change.at,
                what=change.employer,
                change=f"{change.previous or '–'} → {change.employer}",
                reason="",
                source=str(_SOURCES.get(change.source, change.source)),
                by=change.by.get_username(),
            ),
        )
        for change in EmployerChange.objects.filter(party_id__in=party_ids)
        .select_related("party", "by")
        .order_by("at", "id")
    ]


@dataclass(frozen=True)
class RouteStop:
    """One visit to make: the case, the party, the address (masked for the reader) and
    its district (区/县), in route order."""

    case_id: int
    loan_id: str
    party: str
    address: str
    district: str
    due_at: datetime
    title: str


def visit_route(*, user: User, on: date) -> list[RouteStop]:
    """The open visit tasks due by the end of ``on`` on the cases ``user`` may see, grouped
    by the district of the address to visit (the party's primary usable address) so a day's
    route makes sense; addresses with no readable district last. Three queries: addresses
    are encrypted, so the district is read here, not in SQL."""
    end = datetime.combine(on + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())
    items = list(
        WorkItem.objects.filter(
            type="visit",
            status=WorkItemStatus.OPEN,
            due_at__lt=end,
            case_id__in=cases_visible_to(user).filter(status=CaseStatus.OPEN).values("pk"),
        )
        .select_related("case__loan", "party")
        .order_by("due_at", "id")
    )
    addresses: dict[int, str] = {}
    for point in (
        ContactPoint.objects.filter(
            party_id__in={i.party_id for i in items}, kind=ContactKind.ADDRESS
        )
        .exclude(status=ContactStatus.INVALID)
        .order_by("party_id", "-is_primary", "status", "id")
    ):
        addresses.setdefault(point.party_id, point.value)
    route: list[tuple[tuple[int, str], datetime, RouteStop]] = []
    for item in items:
        value = addresses.get(item.party_id, "")
        stop = RouteStop(
            case_id=item.case_id,
            loan_id=item.case.loan.loan_id,
            party=item.party.name,
            address=mask_point(ContactKind.ADDRESS, value, role=user.role) if value else "",
            district=district_of(value),
            due_at=item.due_at,
            title=item.title,
        )
        route.append((route_key(value), item.due_at, stop))
    route.sort(key=lambda entry: (entry[0], entry[1]))
    return [stop for _key, _due, stop in route]


@dataclass(frozen=True)
class UnreachableCase:
    """A case on the skip-trace queue: every phone and address of its borrower invalid."""

    case_id: int
    loan_id: str
    borrower: str
    bucket: str
    dpd: int
    since: date
    assignee: str


def skip_trace_queue(*, user: User, limit: int = 200) -> list[UnreachableCase]:
    """The open unreachable cases ``user`` may see, longest unreachable first. Two queries."""
    cases = list(
        cases_visible_to(user)
        .filter(status=CaseStatus.OPEN, unreachable_since__isnull=False)
        .select_related("loan", "assignee")
        .order_by("unreachable_since", "pk")[:limit]
    )
    borrowers = dict(
        LoanParty.objects.filter(
            Q(loan_id__in=[c.loan_id for c in cases]) & Q(role=PartyRole.BORROWER)
        ).values_list("loan_id", "party__name")
    )
    return [
        UnreachableCase(
            case_id=c.pk,
            loan_id=c.loan.loan_id,
            borrower=borrowers.get(c.loan_id, ""),
            bucket=c.bucket,
            dpd=c.current_dpd,
            since=c.unreachable_since,  # type: ignore[arg-type]
            assignee=c.assignee.get_username() if c.assignee else "",
        )
        for c in cases
    ]
