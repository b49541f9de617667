"""The legal desk's pages: the matters list with each matter's next deadline, the playbooks'
referrals waiting for a matter, one matter's page, the home page's deadlines, and the case
a matter is started from.

Composed from the legal app's own readers (``legal.selectors``: scope, events, deadlines;
``legal.claims``: the claim; ``legal.cli.fees``: the court fees), the cases app's scope and
the ledger's parties. Scope: a matter, document or bundle outside the person's creditors is
not found, whether or not it exists. The list is a fixed number of queries whatever its
length; the matter page's claim is worked out for each loan it covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.cases.choices import WorkItemStatus
from arrears.cases.models import CollectionCase, WorkItem
from arrears.cases.scoping import cases_visible_to
from arrears.core.errors import InvalidInput, NotFound
from arrears.core.masking import mask_id_number
from arrears.legal.calculations.deadlines import Deadline, matter_deadlines
from arrears.legal.choices import MatterEventKind, MatterKind, MatterStatus
from arrears.legal.claims import claim_report, loan_claim
from arrears.legal.cli.fees import fees_report
from arrears.legal.models import (
    EvidenceBundle,
    LegalDocument,
    Matter,
    MatterCost,
    MatterEvent,
    MatterLoan,
)
from arrears.legal.selectors import (
    deadlines_running,
    events_by_matter,
    matter_deadlines_of,
    matters_in_scope,
)
from arrears.legal.services import EVENTS_BY_KIND
from arrears.portfolio.choices import PartyRole
from arrears.portfolio.models import Loan, LoanParty
from arrears.workbench.selectors.loans import loans_visible_to

# Rows on one page of the matters list, and referrals shown beside it.
MATTERS_PAGE_SIZE = 50
REFERRALS_SHOWN = 100
# The status filter's values; "all" lists open and closed matters alike.
STATUS_FILTERS = ("open", "closed", "all")


def _borrower_name(loan_ref: str = "loan_id") -> Subquery:
    """The loan's (first) borrower's name, as a subquery on a row holding ``loan_ref``."""
    return Subquery(
        LoanParty.objects.filter(loan_id=OuterRef(loan_ref), role=PartyRole.BORROWER)
        .order_by("pk")
        .values("party__name")[:1]
    )


@dataclass(frozen=True)
class DeadlineView:
    """A deadline as the pages show it: how many days are left, and whether it is missed."""

    deadline: Deadline
    days_left: int
    matter: Matter | None = None

    @property
    def missed(self) -> bool:
        return self.days_left < 0

    @property
    def overdue_by(self) -> int:
        return -self.days_left


def deadline_view(deadline: Deadline, *, today: date, matter: Matter | None = None) -> DeadlineView:
    """``deadline`` seen from ``today``."""
    return DeadlineView(deadline, (deadline.due_on - today).days, matter)


@dataclass(frozen=True)
class MatterRow:
    """One line of the matters list."""

    matter: Matter
    borrower: str
    next_deadline: DeadlineView | None


@dataclass(frozen=True)
class MatterList:
    """The matters list: one page of rows, the filters it was read with, the referrals."""

    rows: list[MatterRow]
    page: Page[Matter]
    status: str
    kind: str
    referrals: list[WorkItem]


def _filtered(user: User, *, status: str, kind: str) -> QuerySet[Matter]:
    matters = matters_in_scope(user)
    if status in (MatterStatus.OPEN, MatterStatus.CLOSED):
        matters = matters.filter(status=status)
    if kind in MatterKind.values:
        matters = matters.filter(kind=kind)
    return matters.annotate(borrower=_borrower_name()).order_by("-opened_on", "-id")


def referrals_for(user: User) -> list[WorkItem]:
    """The playbooks' open legal referrals in ``user``'s scope, oldest first, each with its
    case and loan and the borrower's name (``borrower``); one query."""
    return list(
        WorkItem.objects.filter(
            type="legal_referral",
            status=WorkItemStatus.OPEN,
            case__in=cases_visible_to(user).filter(status="open"),
        )
        .select_related("case", "case__loan")
        .annotate(borrower=_borrower_name())
        .order_by("due_at", "id")[:REFERRALS_SHOWN]
    )


def matter_list(
    *, user: User, today: date, status: str = "open", kind: str = "", page: int | str | None = 1
) -> MatterList:
    """The matters in ``user``'s scope with ``status`` (open, closed, all) and ``kind`` (a
    matter kind, or every kind), newest first, ``MATTERS_PAGE_SIZE`` a page, each with its
    soonest running deadline; and the open referrals. Six queries however many rows."""
    status = status if status in STATUS_FILTERS else "open"
    kind = kind if kind in MatterKind.values else ""
    paginator = Paginator(_filtered(user, status=status, kind=kind), MATTERS_PAGE_SIZE)
    shown = paginator.get_page(page)
    matters = list(shown.object_list)
    events = events_by_matter(m.pk for m in matters if m.status == MatterStatus.OPEN)
    rows = []
    for matter in matters:
        soonest = None
        if matter.status == MatterStatus.OPEN:
            running = matter_deadlines(matter.kind, events.get(matter.pk, []))
            soonest = deadline_view(running[0], today=today) if running else None
        rows.append(MatterRow(matter, getattr(matter, "borrower", None) or "", soonest))
    return MatterList(rows, shown, status, kind, referrals_for(user))


def home_deadlines(*, user: User, today: date, limit: int = 20) -> list[DeadlineView]:
    """The running deadlines of the open matters in ``user``'s scope, soonest first (missed
    ones first of all), at most ``limit``: the legal officer's home page."""
    return [
        deadline_view(row.deadline, today=today, matter=row.matter)
        for row in deadlines_running(user=user, today=today)[:limit]
    ]


# --- One matter -----------------------------------------------------------------------------


def matter_for(*, user: User, matter_id: int) -> Matter:
    """The matter ``matter_id`` if ``user`` may see it; ``NotFound`` otherwise."""
    matter = (
        matters_in_scope(user).select_related("parent", "opened_by").filter(pk=matter_id).first()
    )
    if matter is None:
        raise NotFound(_("matter %(id)s not found") % {"id": matter_id})
    return matter


@dataclass(frozen=True)
class CoveredLoan:
    """A loan a matter covers, with its borrower and the case to open it from."""

    loan: Loan
    borrower: str
    case_id: int | None


@dataclass(frozen=True)
class MatterPage:
    """Everything the matter page shows."""

    matter: Matter
    today: date
    borrower: str
    borrower_id_masked: str
    loans: list[CoveredLoan]
    events: list[MatterEvent]
    costs: list[MatterCost]
    deadlines: list[DeadlineView]
    claims: list[dict[str, Any]]
    claim_total: int
    claim_error: str
    fees: dict[str, str] | None
    documents: list[LegalDocument]
    bundles: list[EvidenceBundle]
    event_kinds: list[tuple[str, str]]


def event_kinds_of(matter: Matter) -> list[tuple[str, str]]:
    """The events a matter of this kind may have, in the vocabulary's order, as choices."""
    allowed = EVENTS_BY_KIND[matter.kind]
    return [(value, str(label)) for value, label in MatterEventKind.choices if value in allowed]


def _covered(user: User, matter: Matter) -> list[CoveredLoan]:
    cases = cases_visible_to(user).filter(loan_id=OuterRef("loan_id")).order_by("-opened_on")
    links = (
        MatterLoan.objects.filter(matter=matter)
        .select_related("loan")
        .annotate(borrower=_borrower_name(), case_id=Subquery(cases.values("pk")[:1]))
        .order_by("loan__loan_id")
    )
    found: list[CoveredLoan] = []
    for link in links:
        row: Any = link  # carries the annotations
        found.append(CoveredLoan(link.loan, row.borrower or "", row.case_id))
    return found


def _claims(loans: list[Loan], today: date) -> tuple[list[dict[str, Any]], int, str]:
    """Each covered loan's claim today, their total in fen, or the reason there is none."""
    reports, total = [], 0
    try:
        for loan in loans:
            claim = loan_claim(loan, as_of=today)
            reports.append(claim_report(claim))
            total += claim.total
    except InvalidInput as exc:
        return [], 0, str(exc)
    return reports, total, ""


def matter_page(*, user: User, matter: Matter, today: date) -> MatterPage:
    """The matter page of ``matter`` (already found in ``user``'s scope) on ``today``: its
    loans, events, costs, running deadlines, the claim today with its court fees, its drafted
    documents and evidence bundles. The borrower's ID number is masked: court papers, which
    need it in full, are files downloaded (and audited) one by one."""
    loans = _covered(user, matter)
    borrower = (
        LoanParty.objects.filter(loan_id=matter.loan_id, role=PartyRole.BORROWER)
        .select_related("party")
        .order_by("pk")
        .first()
    )
    claims, total, problem = _claims([c.loan for c in loans] or [matter.loan], today)
    return MatterPage(
        matter=matter,
        today=today,
        borrower=borrower.party.name if borrower else "",
        borrower_id_masked=mask_id_number(borrower.party.id_number) if borrower else "",
        loans=loans,
        events=list(matter.events.select_related("recorded_by").order_by("occurred_on", "id")),
        costs=list(matter.costs.select_related("recorded_by").order_by("incurred_on", "id")),
        deadlines=[deadline_view(d, today=today) for d in matter_deadlines_of(matter)],
        claims=claims,
        claim_total=total,
        claim_error=problem,
        fees=fees_report(total) if claims else None,
        documents=list(matter.documents.select_related("loan", "generated_by")),
        bundles=list(matter.bundles.select_related("loan", "made_by")),
        event_kinds=event_kinds_of(matter),
    )


# --- Files and the case a matter starts from --------------------------------------------------


def document_for(*, user: User, document_id: int) -> LegalDocument:
    """A drafted court paper of a loan in ``user``'s scope; ``NotFound`` otherwise."""
    found = (
        LegalDocument.objects.filter(pk=document_id, loan__in=loans_visible_to(user))
        .select_related("loan")
        .first()
    )
    if found is None:
        raise NotFound(_("document %(id)s not found") % {"id": document_id})
    return found


def bundle_for(*, user: User, bundle_id: int) -> EvidenceBundle:
    """An evidence bundle of a loan in ``user``'s scope; ``NotFound`` otherwise."""
    found = (
        EvidenceBundle.objects.filter(pk=bundle_id, loan__in=loans_visible_to(user))
        .select_related("loan")
        .first()
    )
    if found is None:
        raise NotFound(_("evidence bundle %(id)s not found") % {"id": bundle_id})
    return found


@dataclass(frozen=True)
class CaseForMatter:
    """The case a matter is started from, its borrower, and the same borrower's other loans
    (with this creditor, in the person's scope) the matter may also cover."""

    case: CollectionCase
    borrower: str
    other_loans: list[Loan]
    open_matters: list[Matter]


def case_for_matter(*, user: User, case_id: int) -> CaseForMatter:
    """The case ``case_id`` in ``user``'s scope, ready to start a matter from; ``NotFound``
    otherwise."""
    case = (
        cases_visible_to(user)
        .select_related("loan", "loan__creditor")
        .annotate(borrower=_borrower_name())
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(_("case %(id)s not found") % {"id": case_id})
    borrowers = LoanParty.objects.filter(loan_id=case.loan_id, role=PartyRole.BORROWER)
    others = (
        loans_visible_to(user)
        .filter(
            creditor_id=case.loan.creditor_id,
            loan_parties__role=PartyRole.BORROWER,
            loan_parties__party_id__in=borrowers.values("party_id"),
        )
        .exclude(pk=case.loan_id)
        .distinct()
        .order_by("loan_id")
    )
    open_matters = matters_in_scope(user).filter(
        status=MatterStatus.OPEN, matter_loans__loan_id=case.loan_id
    )
    return CaseForMatter(
        case, getattr(case, "borrower", None) or "", list(others), list(open_matters)
    )
