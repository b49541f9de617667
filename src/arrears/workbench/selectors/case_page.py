"""The case page: one case in a person's scope, and everything its page shows, composed
from what each app answers for.

The parts: the parties and their contact points (``case_parties``), what the loan owes on
the business date (``case_amounts``), each party's standing at the compliance gate
(``case_compliance``, from compliance's own reader), the holds (compliance's record), the
timeline (``case_timeline``, from each app's rows), and the case's own work: promises,
plans, settlements and open work items; and whether the loan is in litigation (an open
legal matter). Every read starts from
``arrears.cases.scoping.cases_visible_to``, so a case outside the reader's scope is not
found; the query count is fixed, however long the case's history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.cases.choices import PlanStatus, PromiseStatus, WorkItemStatus
from arrears.cases.models import (
    Activity,
    CollectionCase,
    Promise,
    RepaymentPlan,
    Settlement,
    WorkItem,
)
from arrears.cases.scoping import cases_visible_to, scope_shape, scope_stand_in
from arrears.compliance.models import Hold
from arrears.compliance.selectors import holds_on
from arrears.core.errors import NotFound
from arrears.core.frozen import FrozenQuery
from arrears.legal.choices import MatterKind, MatterStatus
from arrears.legal.models import Matter
from arrears.portfolio.calculations.allocation import InstallmentState
from arrears.strategy.labels import stage_label, titles_of
from arrears.workbench.selectors.case_amounts import Amounts, PaymentView, amounts_on
from arrears.workbench.selectors.case_compliance import compliance_today
from arrears.workbench.selectors.case_parties import (
    PartyView,
    parties_of,
    party_views,
    phones_to_call,
)
from arrears.workbench.selectors.case_presence import Presence, presence_of
from arrears.workbench.selectors.case_timeline import TimelineEntry, activities_of, timeline_of


@dataclass(frozen=True)
class Litigation:
    """The open legal matter on the case's loan (the latest, if several): every reader of
    the case sees that it is in litigation, with the matter's kind and court."""

    matter_id: int
    kind: str
    court: str
    case_number: str

    @property
    def kind_label(self) -> str:
        return str(MatterKind(self.kind).label) if self.kind in MatterKind.values else self.kind


@dataclass(frozen=True)
class CasePage:
    """Everything the case page shows, read in a fixed number of queries."""

    case: CollectionCase
    on: date
    parties: list[PartyView]
    overdue: Amounts
    outstanding: Amounts
    dpd: int
    bucket: str
    classification: str
    limitation_expires_on: date | None
    playbook: str
    stage: str
    arm: str
    paused: bool
    holds: list[Hold]
    schedule: list[InstallmentState]
    payments: list[PaymentView]
    timeline: list[TimelineEntry]
    promises: list[Promise]
    plans: list[RepaymentPlan]
    settlements: list[Settlement]
    work_items: list[WorkItem]
    time_zone: str
    extra: dict[str, Any] = field(default_factory=dict)
    litigation: Litigation | None = None
    # The case's contacts newest first, as the timeline read them (the calls panel's too).
    activities: list[Activity] = field(default_factory=list)
    # Which optional parts have rows: the page's panels read only those.
    presence: Presence = field(default_factory=Presence.everything)

    @property
    def open_promise(self) -> Promise | None:
        return next((p for p in self.promises if p.status == PromiseStatus.OPEN), None)


def presence_on(page: object, case: CollectionCase) -> Presence:
    """What the case page ``page`` knows of which parts of ``case`` have rows (a panel
    rendered on it skips the empty ones); every part when ``page`` is not that case's page."""
    if isinstance(page, CasePage) and page.case.pk == case.pk:
        return page.presence
    return Presence.everything()


# The case's own work, read by its id with statements compiled once (``core.frozen``).
_PROMISES = FrozenQuery(
    lambda case_id: Promise.objects.filter(case_id=case_id).select_related("by").order_by("-id")
)
_PLANS = FrozenQuery(
    lambda case_id: (
        RepaymentPlan.objects.filter(case_id=case_id).select_related("requested_by").order_by("-id")
    )
)
_SETTLEMENTS = FrozenQuery(
    lambda case_id: (
        Settlement.objects.filter(case_id=case_id).select_related("requested_by").order_by("-id")
    )
)
_OPEN_WORK_ITEMS = FrozenQuery(
    lambda case_id: WorkItem.objects.filter(case_id=case_id, status=WorkItemStatus.OPEN).order_by(
        "due_at", "id"
    )
)
_OPEN_MATTER = FrozenQuery(
    lambda loan_id: (
        Matter.objects.filter(status=MatterStatus.OPEN, matter_loans__loan_id=loan_id)
        .order_by("-opened_on", "-id")
        .values_list("id", "kind", "court", "case_number")[:1]
    )
)

# What every read of a case for a person's page brings along.
_CASE_RELATED = ("loan", "loan__creditor", "loan__product", "team", "assignee")


# The case page's read of its case, one statement per form of the reader's scope
# (``cases.scoping.scope_shape``) and set of related rows, compiled once (``core.frozen``):
# with nine tables joined it took the ORM 2 ms to compile, more than the database took.
_FROZEN_CASES: dict[tuple[Any, ...], FrozenQuery[CollectionCase]] = {}


def _frozen_case(shape: tuple[str, bool], names: tuple[str, ...], related: tuple[str, ...]) -> Any:
    key = (shape, names, related)
    frozen = _FROZEN_CASES.get(key)
    if frozen is None:

        def build(case_id: int, **ids: int) -> Any:
            return (
                cases_visible_to(scope_stand_in(shape, **ids))
                .select_related(*_CASE_RELATED, *related)
                .filter(pk=case_id)
            )

        frozen = _FROZEN_CASES[key] = FrozenQuery(build, ids=("case_id", *names))
    return frozen


def _visible_case(user: User, case_id: int, *related: str) -> CollectionCase:
    shape = scope_shape(user)
    if shape is not None and type(case_id) is int:
        form, ids = shape
        found = _frozen_case(form, tuple(sorted(ids)), related).list(case_id=case_id, **ids)
        case = found[0] if found else None
    else:
        # A manager's creditors, an inactive user: the filter is built for the reader.
        case = (
            cases_visible_to(user)
            .select_related(*_CASE_RELATED, *related)
            .filter(pk=case_id)
            .first()
        )
    if case is None:
        raise NotFound(_("case %(id)s not found") % {"id": case_id})
    return case


def case_get_for(*, user: User, case_id: int) -> CollectionCase:
    """The case ``case_id`` if ``user`` may see it; ``NotFound`` otherwise (also when it does
    not exist), so the answer never tells whether a case outside the scope exists."""
    return _visible_case(user, case_id)


def _litigation(loan_id: int) -> Litigation | None:
    """The open matter on the loan, the latest if several. Its own query: as a subquery of
    the case's (its fields as one JSON object) it took 3 ms of the page's 25 to compile, ten
    times this query's compiling and running."""
    found = _OPEN_MATTER.list(loan_id=loan_id)
    if not found:
        return None
    matter_id, kind, court, case_number = found[0]
    return Litigation(matter_id=matter_id, kind=kind, court=court, case_number=case_number)


def case_page(*, user: User, case_id: int, on: date, now: datetime) -> CasePage:
    """The case page of ``case_id`` for ``user`` on business date ``on`` at ``now``.

    Amounts are the replay of the loan's schedule and payments on ``on`` (exact to the
    fen); classification and the limitation date come from the last cycle's position.
    Phones, emails and ID numbers are masked: the page reveals one on request, audited.
    At most twenty queries for a loan without contact persons (two more with them), however
    long the loan's history; one query (``case_presence``) says which optional parts have
    rows, and the parts without are not read.
    """
    case = _visible_case(
        user,
        case_id,
        "loan__position",
        "strategy",
        "strategy__playbook",
        "strategy__version",
    )
    loan = case.loan
    present = presence_of(case_id=case.pk, loan_id=loan.pk)
    links, points = parties_of(loan)
    amounts = amounts_on(loan, on, waived="waivers" in present)
    standings, zone = compliance_today(
        loan=loan, links=links, numbers=phones_to_call(points), now=now
    )
    holds = (
        holds_on(loan_id=loan.pk, party_ids={link.party_id for link in links})
        if "holds" in present
        else []
    )
    in_force = [hold for hold in holds if hold.lifted_at is None]
    promises = _PROMISES.list(case_id=case.pk) if "promises" in present else []
    plans = _PLANS.list(case_id=case.pk) if "plans" in present else []
    settlements = _SETTLEMENTS.list(case_id=case.pk) if "settlements" in present else []
    activities = activities_of(case) if "activities" in present else []
    timeline = timeline_of(
        case=case,
        names={link.party_id: link.party.name for link in links},
        activities=activities,
        promises=promises,
        plans=plans,
        settlements=settlements,
        holds=holds,
        presence=present,
    )
    position = getattr(loan, "position", None)
    strategy = getattr(case, "strategy", None)
    return CasePage(
        case=case,
        on=on,
        parties=party_views(links, points, standings, in_force, role=user.role),
        overdue=amounts.overdue,
        outstanding=amounts.outstanding,
        dpd=amounts.state.dpd,
        bucket=amounts.state.bucket,
        classification=position.get_classification_display() if position else "",
        limitation_expires_on=position.limitation_expires_on if position else None,
        playbook=(strategy.playbook.title or strategy.playbook.name) if strategy else "",
        # The stage's title in the version the case follows (its code's label without one).
        stage=stage_label(strategy.stage, titles_of(strategy.version.definition))
        if strategy
        else "",
        arm=strategy.get_arm_display() if strategy and strategy.arm else "",
        # Paused by a manager, or by the repayment plan the borrower keeps (the strategy
        # reads active plans; strategy.selectors.case_paused says the same in a query).
        paused=strategy is not None
        and (strategy.paused or any(plan.status == PlanStatus.ACTIVE for plan in plans)),
        holds=in_force,
        schedule=list(amounts.state.installments),
        payments=amounts.payments,
        timeline=timeline,
        promises=promises,
        plans=plans,
        settlements=settlements,
        work_items=_OPEN_WORK_ITEMS.list(case_id=case.pk) if "work_items" in present else [],
        time_zone=zone,
        litigation=_litigation(loan.pk) if "matters" in present else None,
        activities=activities,
        presence=present,
    )
