"""Reads of the collector workbench: one case in a person's scope, their day's queue in
priority order, and everything the case page shows.

Every read starts from ``arrears.cases.scoping.cases_visible_to``, so a case outside the
reader's scope is not found. Query counts are fixed: neither the queue nor the case page
issues a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least, Ln
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.cases.choices import CaseStatus, PromiseStatus, WorkItemStatus
from arrears.cases.models import (
    Activity,
    CaseAssignment,
    CollectionCase,
    Promise,
    RepaymentPlan,
    Settlement,
    WorkItem,
)
from arrears.cases.scoping import cases_visible_to
from arrears.compliance.holidays import public_holidays
from arrears.compliance.models import CompliancePolicy, ContactAttempt, Hold
from arrears.compliance.rules import (
    CALL,
    CONVERSATION,
    LIABLE_ROLES,
    PACKS,
    PastContact,
    PolicyPack,
    Proposed,
    Situation,
    evaluate,
)
from arrears.compliance.selectors import HISTORY_DAYS, pack_of
from arrears.core.errors import InvalidInput, NotFound
from arrears.core.masking import mask_email, mask_id_number, mask_phone
from arrears.core.money import format_yuan_grouped
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.calculations.allocation import (
    Components,
    InstallmentState,
    PaymentIn,
    replay,
)
from arrears.portfolio.choices import ContactKind, ContactStatus, PartyRole
from arrears.portfolio.models import ContactPoint, LoanParty, Payment
from arrears.portfolio.selectors import installments_of, loan_terms, waivers_of
from arrears.strategy.models import StrategyEvent

QUEUE_PAGE_SIZE = 50
# A broken promise stays at the top of the queue this many days after the cycle found it
# broken, unless a newer promise was taken since.
BROKEN_PROMISE_DAYS = 7
# Queue score points by risk grade (A lowest risk … E highest); no grade counts as C.
RISK_POINTS = {"A": 0, "B": 5, "C": 10, "D": 15, "E": 20}
RISK_POINTS_UNGRADED = 10
DPD_SCORE_CAP = 180

TIER_PROMISE, TIER_TASK, TIER_REST = 1, 2, 3


def case_get_for(*, user: User, case_id: int) -> CollectionCase:
    """The case ``case_id`` if ``user`` may see it; ``NotFound`` otherwise (also when it does
    not exist), so the answer never tells whether a case outside the scope exists."""
    case = (
        cases_visible_to(user)
        .select_related("loan", "loan__creditor", "loan__product", "team", "assignee")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(_("case %(id)s not found") % {"id": case_id})
    return case


# --- The queue ------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One case on a person's queue, with why it is where it is."""

    case_id: int
    loan_id: str
    borrower: str
    product: str
    bucket: str
    dpd: int
    overdue: int  # fen
    risk_grade: str
    tier: int
    score: float
    mine: bool
    promise_due_today: bool
    promise_broken: bool
    task_due: bool
    follow_up_due: bool
    promise_due_on: date | None
    assignee: str

    @property
    def overdue_yuan(self) -> str:
        return format_yuan_grouped(self.overdue)


class QueuePage(list[QueueRow]):
    """One page of the queue: the rows (it is a list of them), the page number, the page
    count and the number of cases that match."""

    def __init__(self, rows: list[QueueRow], *, page: int, pages: int, total: int) -> None:
        super().__init__(rows)
        self.page, self.pages, self.total = page, pages, total

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _day_bounds(on: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(on, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


def queue_score() -> Any:
    """The tier-3 score of a case as a SQL expression (higher is called first):

        score = 20 × log10(1 + overdue yuan) + min(DPD, 180) / 6 + risk points

    with risk points A 0, B 5, C 10 (and ungraded), D 15, E 20. So 1,000 yuan overdue is
    worth 60 points, 10,000 yuan 80 and 100,000 yuan 100; each month past due adds 5 points
    up to 30; the riskiest grade adds 20. Amount leads (recovering more matters most), age
    and risk break near-ties. Overdue is the loan position's overdue principal, interest,
    fees and penalty from the last cycle.
    """
    overdue_fen = Cast(F("overdue"), FloatField())
    amount = Value(20.0) * Ln(Value(1.0) + overdue_fen / Value(100.0)) / Value(2.302585092994046)
    age = Cast(Least(F("current_dpd"), Value(DPD_SCORE_CAP)), FloatField()) / Value(6.0)
    risk = Case(
        *(
            When(risk_grade=grade, then=Value(float(points)))
            for grade, points in RISK_POINTS.items()
        ),
        default=Value(float(RISK_POINTS_UNGRADED)),
        output_field=FloatField(),
    )
    return amount + age + risk


def _parse_filters(filters: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    bucket = str(filters.get("bucket") or "").strip().upper()
    if bucket:
        clean["bucket"] = bucket
    product = str(filters.get("product") or "").strip()
    if product:
        clean["product"] = product
    if str(filters.get("has_promise") or "").strip().lower() in {"1", "true", "yes", "on"}:
        clean["has_promise"] = True
    tier = str(filters.get("tier") or "").strip()
    if tier:
        if tier not in {"1", "2", "3"}:
            raise InvalidInput(_("the tier is 1, 2 or 3"), field="tier")
        clean["tier"] = int(tier)
    page = str(filters.get("page") or "1").strip()
    if not page.isdigit() or int(page) < 1:
        raise InvalidInput(_("the page is a whole number from 1"), field="page")
    clean["page"] = int(page)
    return clean


def _search(queryset: QuerySet[CollectionCase], search: str) -> QuerySet[CollectionCase]:
    """Cases whose loan id, or a party's phone or ID number, is exactly ``search``, or whose
    borrower's name contains it. Phones and ID numbers are masked on screen, so they are
    matched whole, never by a fragment."""
    text = search.strip()
    if not text:
        return queryset
    parties = LoanParty.objects.filter(loan_id=OuterRef("loan_id"))
    compact = text.replace(" ", "").replace("-", "")
    return queryset.filter(
        Q(loan__loan_id=text)
        | Exists(parties.filter(role=PartyRole.BORROWER, party__name__icontains=text))
        | Exists(parties.filter(party__id_number=compact.upper()))
        | Exists(parties.filter(party__contact_points__value=compact))
    )


def _queue_queryset(
    *, user: User, on: date, search: str, filters: dict[str, Any]
) -> QuerySet[CollectionCase]:
    _start, end = _day_bounds(on)
    promises = Promise.objects.filter(case_id=OuterRef("pk"))
    newer = Promise.objects.filter(case_id=OuterRef("case_id"), pk__gt=OuterRef("pk"))
    queryset = (
        cases_visible_to(user)
        .filter(status=CaseStatus.OPEN)
        .annotate(
            promise_due_today=Exists(promises.filter(status=PromiseStatus.OPEN, due_on=on)),
            promise_broken=Exists(
                promises.filter(
                    status=PromiseStatus.BROKEN,
                    resolved_on__gte=on - timedelta(days=BROKEN_PROMISE_DAYS),
                    resolved_on__lte=on,
                ).filter(~Exists(newer))
            ),
            task_due=Exists(
                WorkItem.objects.filter(
                    case_id=OuterRef("pk"), status=WorkItemStatus.OPEN, due_at__lt=end
                )
            ),
            # The follow-up set by the latest contact is the one that stands.
            follow_up_at=Subquery(
                Activity.objects.filter(case_id=OuterRef("pk"))
                .order_by("-at", "-id")
                .values("next_follow_up_at")[:1]
            ),
        )
        .annotate(
            follow_up_due=Case(
                When(follow_up_at__lt=end, then=Value(True)),
                default=Value(False),
            ),
            tier=Case(
                When(Q(promise_due_today=True) | Q(promise_broken=True), then=Value(TIER_PROMISE)),
                When(Q(task_due=True) | Q(follow_up_at__lt=end), then=Value(TIER_TASK)),
                default=Value(TIER_REST),
                output_field=IntegerField(),
            ),
            mine=Case(
                When(assignee_id=user.pk, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
    )
    if "bucket" in filters:
        queryset = queryset.filter(bucket=filters["bucket"])
    if "product" in filters:
        queryset = queryset.filter(loan__product__code=filters["product"])
    if filters.get("has_promise"):
        queryset = queryset.filter(Exists(promises.filter(status=PromiseStatus.OPEN)))
    if "tier" in filters:
        queryset = queryset.filter(tier=filters["tier"])
    return _search(queryset, search)


def queue_for(
    *, user: User, on: date, search: str = "", filters: dict[str, Any] | None = None
) -> QueuePage:
    """The open cases ``user`` works on business date ``on``, best first, one page of 50.

    Order: the user's own cases before their team's unassigned pool; within each, tier 1
    (a promise due today, or one broken in the last 7 days with no newer promise), then
    tier 2 (an open work item due by the end of today, or the latest contact's follow-up
    due), then tier 3; within a tier by ``queue_score`` (highest first), then case number.

    ``filters``: ``bucket`` (M1 …), ``product`` (code), ``has_promise`` (an open promise),
    ``tier`` (1–3), ``page`` (from 1). ``search`` matches a loan id, a party's phone or ID
    number exactly, or part of the borrower's name.

    Three queries whatever the data: the count, the page's order, the page's details. The
    order is computed in the database over the user's scope, which the (assignee, status)
    and (team, status, assignee) indexes bound; every per-case test is an index probe.
    """
    clean = _parse_filters(filters or {})
    queryset = _queue_queryset(user=user, on=on, search=search, filters=clean)
    total = queryset.count()
    pages = max(1, -(-total // QUEUE_PAGE_SIZE))
    page = min(clean["page"], pages)
    offset = (page - 1) * QUEUE_PAGE_SIZE
    ordered = list(
        queryset.annotate(
            overdue=Coalesce(
                F("loan__position__overdue_principal")
                + F("loan__position__overdue_interest")
                + F("loan__position__overdue_fees")
                + F("loan__position__overdue_penalty"),
                Value(0),
            )
        )
        .annotate(score=queue_score())
        .order_by("mine", "tier", "-score", "pk")
        .values_list(
            "pk",
            "tier",
            "score",
            "mine",
            "promise_due_today",
            "promise_broken",
            "task_due",
            "follow_up_due",
            "overdue",
        )[offset : offset + QUEUE_PAGE_SIZE]
    )
    details = {
        case.pk: case
        for case in CollectionCase.objects.filter(pk__in=[row[0] for row in ordered])
        .select_related("loan", "loan__product", "assignee")
        .annotate(
            borrower=Subquery(
                LoanParty.objects.filter(loan_id=OuterRef("loan_id"), role=PartyRole.BORROWER)
                .order_by("pk")
                .values("party__name")[:1]
            ),
            promise_due_on=Subquery(
                Promise.objects.filter(case_id=OuterRef("pk"), status=PromiseStatus.OPEN)
                .order_by("due_on")
                .values("due_on")[:1]
            ),
        )
    }
    rows = []
    for pk, tier, score, mine, due_today, broken, task, follow_up, overdue in ordered:
        case: Any = details[pk]
        rows.append(
            QueueRow(
                case_id=pk,
                loan_id=case.loan.loan_id,
                borrower=case.borrower or "",
                product=case.loan.product.code if case.loan.product else "",
                bucket=case.bucket,
                dpd=case.current_dpd,
                overdue=int(overdue or 0),
                risk_grade=case.risk_grade,
                tier=tier,
                score=round(float(score or 0), 1),
                mine=mine == 0,
                promise_due_today=bool(due_today),
                promise_broken=bool(broken),
                task_due=bool(task),
                follow_up_due=bool(follow_up),
                promise_due_on=case.promise_due_on,
                assignee=case.assignee.get_username() if case.assignee else "",
            )
        )
    return QueuePage(rows, page=page, pages=pages, total=total)


def queue_next(*, user: User, on: date) -> int | None:
    """The first case of ``user``'s queue on ``on`` (None when the queue is empty)."""
    page = queue_for(user=user, on=on)
    return page[0].case_id if page else None


# --- The case page --------------------------------------------------------------------


@dataclass(frozen=True)
class ContactPointView:
    """A contact point as the page shows it: masked, with its validity."""

    id: int
    kind: str
    masked: str
    status: str
    is_primary: bool

    @property
    def is_invalid(self) -> bool:
        return self.status == ContactStatus.INVALID

    @property
    def revealable(self) -> bool:
        return self.kind == ContactKind.PHONE or self.kind == ContactKind.EMAIL


@dataclass(frozen=True)
class ComplianceToday:
    """Today's standing of one party at the compliance gate, for a call now: the calls
    counted against the pack's cap, and whether (or from when) a call is allowed."""

    calls_used: int
    calls_cap: int | None
    weekly: bool  # the cap counts call attempts over 7 days (Regulation F), not conversations
    allowed_now: bool
    next_allowed_at: datetime | None
    reasons: list[str]
    # "08:00" when the next allowed moment is later today in the debtor's time, else
    # "12-03 08:00"; empty when allowed now or when only lifting a hold would allow it.
    next_allowed_label: str = ""


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


@dataclass(frozen=True)
class Amounts:
    """Amounts by component, in fen."""

    principal: int = 0
    interest: int = 0
    fees: int = 0
    penalty: int = 0

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.fees + self.penalty

    def yuan(self) -> dict[str, str]:
        return {
            "principal": format_yuan_grouped(self.principal),
            "interest": format_yuan_grouped(self.interest),
            "fees": format_yuan_grouped(self.fees),
            "penalty": format_yuan_grouped(self.penalty),
            "total": format_yuan_grouped(self.total),
        }


@dataclass(frozen=True)
class TimelineEntry:
    """One event on the case's timeline."""

    at: datetime
    kind: str  # activity, message, promise, plan, settlement, hold, strategy, assignment
    title: str
    detail: str = ""
    by: str = ""


@dataclass(frozen=True)
class PaymentView:
    payment_id: str
    paid_on: date
    amount: int
    channel: str

    @property
    def amount_yuan(self) -> str:
        return format_yuan_grouped(self.amount)


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

    @property
    def open_promise(self) -> Promise | None:
        return next((p for p in self.promises if p.status == PromiseStatus.OPEN), None)


_MASKERS = {
    ContactKind.PHONE: mask_phone,
    ContactKind.EMAIL: mask_email,
    ContactKind.ADDRESS: lambda value: value,
}


def _mask(kind: str, value: str) -> str:
    return _MASKERS.get(ContactKind(kind), mask_phone)(value)


def _mask_address(to: str) -> str:
    """A message's recipient masked as a phone or an email."""
    return mask_email(to) if "@" in to else mask_phone(to) if to else ""


def _pack_and_quiet(
    policy: CompliancePolicy | None, on: date
) -> tuple[PolicyPack, str, frozenset[date]]:
    if policy is None:
        return PACKS["cn"], "Asia/Shanghai", frozenset()
    quiet = (
        public_holidays(on - timedelta(days=1), on + timedelta(days=30))
        if policy.quiet_public_holidays
        else frozenset()
    )
    return pack_of(policy), policy.time_zone, quiet


def _compliance_today(
    *,
    pack: PolicyPack,
    zone: str,
    quiet: frozenset[date],
    role: str,
    history: list[PastContact],
    debtor_history: list[PastContact],
    all_invalid: bool,
    holds: list[tuple[str, str]],
    number: str,
    now: datetime,
) -> ComplianceToday:
    """Counts and the gate's answer for a call to the party at ``now`` (pure: the gate's own
    ``evaluate`` on what the page already read)."""
    local_zone = ZoneInfo(zone)
    today = now.astimezone(local_zone).date()
    calls = [c for c in history if c.channel == CALL and c.at <= now]
    cap: int | None
    if pack.attempts_per_week is not None:
        used = sum(1 for c in calls if (today - c.at.astimezone(local_zone).date()).days < 7)
        cap, weekly = pack.attempts_per_week, True
    else:
        used = sum(
            1
            for c in calls
            if c.outcome == CONVERSATION and c.at.astimezone(local_zone).date() == today
        )
        cap, weekly = pack.conversations_per_day, False
    decision = evaluate(
        pack,
        Proposed(at=now, channel=CALL, role=role, number=number, purpose="pass_message"),
        Situation(
            time_zone=zone,
            history=history,
            debtor_history=debtor_history,
            debtor_numbers_all_invalid=all_invalid,
            holds=holds,
            quiet_days=quiet,
        ),
    )
    label = ""
    next_at = decision.next_allowed_at.astimezone(local_zone) if decision.next_allowed_at else None
    if next_at is not None:
        label = next_at.strftime("%H:%M" if next_at.date() == today else "%m-%d %H:%M")
    return ComplianceToday(
        calls_used=used,
        calls_cap=cap,
        weekly=weekly,
        allowed_now=decision.allowed,
        next_allowed_at=next_at,
        reasons=list(decision.reasons),
        next_allowed_label=label,
    )


def case_page(*, user: User, case_id: int, on: date, now: datetime) -> CasePage:
    """The case page of ``case_id`` for ``user`` on business date ``on`` at ``now``.

    Amounts are the replay of the loan's schedule and payments on ``on`` (exact to the
    fen); classification and the limitation date come from the last cycle's position.
    Phones, emails and ID numbers are masked: the page reveals one on request, audited.
    About twenty queries, however long the loan's history.
    """
    case = (
        cases_visible_to(user)
        .select_related(
            "loan",
            "loan__creditor",
            "loan__product",
            "loan__position",
            "team",
            "assignee",
            "strategy",
            "strategy__playbook",
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(_("case %(id)s not found") % {"id": case_id})
    loan = case.loan
    links = list(LoanParty.objects.filter(loan=loan).select_related("party").order_by("role", "id"))
    party_ids = sorted({link.party_id for link in links})
    points: dict[int, list[ContactPoint]] = {}
    for point in ContactPoint.objects.filter(party_id__in=party_ids).order_by(
        "party_id", "kind", "-is_primary", "id"
    ):
        points.setdefault(point.party_id, []).append(point)

    # Money: the replay on the business date.
    payment_rows = list(
        Payment.objects.filter(loan=loan, paid_on__lte=on)
        .order_by("paid_on", "payment_id")
        .values_list("payment_id", "paid_on", "amount", "channel")
    )
    state = replay(
        installments=installments_of(loan),
        payments=[PaymentIn(key=p, paid_on=d, amount=a) for p, d, a, _c in payment_rows],
        terms=loan_terms(loan),
        as_of=on,
        allocations=False,
        waivers=waivers_of(loan, through=on),
    )
    outstanding = Components()
    for item in state.installments:
        outstanding = outstanding + item.outstanding

    # Compliance: the creditor's pack, contact history, holds.
    policy = CompliancePolicy.objects.filter(creditor_id=loan.creditor_id).first()
    pack, zone, quiet = _pack_and_quiet(policy, on)
    history: dict[int, list[PastContact]] = {}
    for pid, at, channel, outcome, number, by in (
        ContactAttempt.objects.filter(
            party_id__in=party_ids, at__gte=now - timedelta(days=HISTORY_DAYS), at__lte=now
        )
        .order_by("at")
        .values_list("party_id", "at", "channel", "outcome", "number", "by")
    ):
        history.setdefault(pid, []).append(PastContact(at, channel, outcome, number, by))
    debtors = [
        link.party_id
        for link in links
        if link.role in LIABLE_ROLES - {"guarantor", "counter_guarantor"}
    ]
    debtor_history = [
        PastContact(*row)
        for row in ContactAttempt.objects.filter(party_id__in=debtors, channel=CALL, at__lte=now)
        .order_by("-at")
        .values_list("at", "channel", "outcome", "number", "by")[:3]
    ]
    debtor_phones = [
        p for pid in debtors for p in points.get(pid, []) if p.kind == ContactKind.PHONE
    ]
    all_invalid = bool(debtor_phones) and all(
        p.status == ContactStatus.INVALID for p in debtor_phones
    )
    all_holds = list(
        Hold.objects.filter(Q(loan=loan) | Q(party_id__in=party_ids))
        .select_related("placed_by")
        .order_by("-created_at", "-id")
    )
    active_holds = [h for h in all_holds if h.lifted_at is None]

    parties = []
    role_labels = dict(PartyRole.choices)
    for link in links:
        party = link.party
        own_points = points.get(party.pk, [])
        phone = next(
            (
                p.value
                for p in own_points
                if p.kind == ContactKind.PHONE and p.status != ContactStatus.INVALID
            ),
            "",
        )
        holds_here = [h for h in active_holds if h.party_id == party.pk or h.loan_id == loan.pk]
        parties.append(
            PartyView(
                id=party.pk,
                role=link.role,
                role_label=str(role_labels.get(link.role, link.role)),
                name=party.name,
                id_masked=mask_id_number(party.id_number),
                has_id_number=bool(party.id_number),
                employer=party.employer,
                liable=link.role in LIABLE_ROLES,
                contact_points=[
                    ContactPointView(
                        id=p.pk,
                        kind=p.kind,
                        masked=_mask(p.kind, p.value),
                        status=p.status,
                        is_primary=p.is_primary,
                    )
                    for p in own_points
                ],
                compliance=_compliance_today(
                    pack=pack,
                    zone=zone,
                    quiet=quiet,
                    role=link.role,
                    history=history.get(party.pk, []),
                    debtor_history=debtor_history,
                    all_invalid=all_invalid,
                    holds=[(h.kind, h.channel) for h in holds_here],
                    number=phone,
                    now=now,
                ),
                holds=[h for h in holds_here if h.party_id == party.pk],
            )
        )
    names = {p.id: p.name for p in parties}

    # The timeline.
    timeline: list[TimelineEntry] = []
    for activity in Activity.objects.filter(case=case).select_related("by").order_by("-at", "-id"):
        title = f"{activity.get_channel_display()} · {activity.get_outcome_display()}"
        if activity.reason:
            title += f" · {activity.get_reason_display()}"
        timeline.append(
            TimelineEntry(
                at=activity.at,
                kind="activity",
                title=title,
                detail=" ".join(
                    part
                    for part in (
                        names.get(activity.party_id, ""),
                        activity.notes,
                        (
                            _("next follow-up %(at)s")
                            % {
                                "at": timezone.localtime(activity.next_follow_up_at).strftime(
                                    "%Y-%m-%d %H:%M"
                                )
                            }
                            if activity.next_follow_up_at
                            else ""
                        ),
                    )
                    if part
                ),
                by=activity.by.get_username(),
            )
        )
    for message in OutboxMessage.objects.filter(case_id=case.pk).order_by("-due_at", "-id"):
        timeline.append(
            TimelineEntry(
                at=message.sent_at or message.due_at,
                kind="message",
                title=f"{message.channel} · {message.purpose} · {message.get_status_display()}",
                detail=" ".join(
                    part
                    for part in (
                        _mask_address(message.to),
                        message.body[:300],
                        "; ".join(message.blocked_reasons or []),
                    )
                    if part
                ),
            )
        )
    promises = list(Promise.objects.filter(case=case).select_related("by").order_by("-id"))
    for promise in promises:
        timeline.append(
            TimelineEntry(
                at=promise.created_at,
                kind="promise",
                title=_("Promise: %(amount)s yuan by %(due)s (%(status)s)")
                % {
                    "amount": format_yuan_grouped(promise.amount),
                    "due": promise.due_on.isoformat(),
                    "status": promise.get_status_display(),
                },
                detail=names.get(promise.party_id, ""),
                by=promise.by.get_username(),
            )
        )
    plans = list(
        RepaymentPlan.objects.filter(case=case).select_related("requested_by").order_by("-id")
    )
    for plan in plans:
        timeline.append(
            TimelineEntry(
                at=plan.created_at,
                kind="plan",
                title=_(
                    "Repayment plan: %(total)s yuan, %(down)s down, %(n)s monthly"
                    " installments (%(status)s)"
                )
                % {
                    "total": format_yuan_grouped(plan.total),
                    "down": format_yuan_grouped(plan.down_payment),
                    "n": plan.installments,
                    "status": plan.get_status_display(),
                },
                detail=plan.reason,
                by=plan.requested_by.get_username(),
            )
        )
    settlements = list(
        Settlement.objects.filter(case=case).select_related("requested_by").order_by("-id")
    )
    for settlement in settlements:
        timeline.append(
            TimelineEntry(
                at=settlement.created_at,
                kind="settlement",
                title=_("Waiver: %(total)s yuan (%(status)s)")
                % {
                    "total": format_yuan_grouped(settlement.total_waived),
                    "status": settlement.get_status_display(),
                },
                detail=settlement.reason,
                by=settlement.requested_by.get_username(),
            )
        )
    for hold in all_holds:
        timeline.append(
            TimelineEntry(
                at=hold.created_at,
                kind="hold",
                title=_("Hold placed: %(kind)s") % {"kind": hold.get_kind_display()},
                detail=hold.reason,
                by=hold.placed_by.get_username() if hold.placed_by else "",
            )
        )
        if hold.lifted_at is not None:
            timeline.append(
                TimelineEntry(
                    at=hold.lifted_at,
                    kind="hold",
                    title=_("Hold lifted: %(kind)s") % {"kind": hold.get_kind_display()},
                )
            )
    for event in StrategyEvent.objects.filter(case_id=case.pk).order_by("-id"):
        timeline.append(
            TimelineEntry(
                at=event.created_at,
                kind="strategy",
                title=f"{event.get_kind_display()}: {event.detail}".rstrip(": "),
                detail=event.reason,
                by=event.by,
            )
        )
    for assignment in (
        CaseAssignment.objects.filter(case=case)
        .select_related("assignee", "team", "by")
        .order_by("-at", "-id")
    ):
        to = assignment.assignee.get_username() if assignment.assignee else _("team pool")
        timeline.append(
            TimelineEntry(
                at=assignment.at,
                kind="assignment",
                title=_("Assigned to %(to)s (%(rule)s)")
                % {"to": to, "rule": assignment.get_rule_display()},
                detail=assignment.reason,
                by=assignment.by.get_username() if assignment.by else "",
            )
        )
    timeline.sort(key=lambda entry: entry.at, reverse=True)

    work_items = list(
        WorkItem.objects.filter(case=case, status=WorkItemStatus.OPEN).order_by("due_at", "id")
    )
    position = getattr(loan, "position", None)
    strategy = getattr(case, "strategy", None)
    return CasePage(
        case=case,
        on=on,
        parties=parties,
        overdue=Amounts(
            state.overdue.principal,
            state.overdue.interest,
            state.overdue.fees,
            state.overdue.penalty,
        ),
        outstanding=Amounts(
            outstanding.principal, outstanding.interest, outstanding.fees, outstanding.penalty
        ),
        dpd=state.dpd,
        bucket=state.bucket,
        classification=position.get_classification_display() if position else "",
        limitation_expires_on=position.limitation_expires_on if position else None,
        playbook=(strategy.playbook.title or strategy.playbook.name) if strategy else "",
        stage=strategy.stage if strategy else "",
        arm=strategy.get_arm_display() if strategy and strategy.arm else "",
        paused=bool(strategy and strategy.paused),
        holds=active_holds,
        schedule=list(state.installments),
        payments=[PaymentView(p, d, a, c) for p, d, a, c in payment_rows],
        timeline=timeline,
        promises=promises,
        plans=plans,
        settlements=settlements,
        work_items=work_items,
        time_zone=zone,
    )
