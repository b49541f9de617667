"""The collector's queue: the open cases a person works on a business date, best first.

Every read starts from ``arrears.cases.scoping.cases_visible_to``, so a case outside the
reader's scope is never listed. Two queries whatever the data: the page's order with the
queue's size, and the page's details.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
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
    Window,
)
from django.db.models.functions import Cast, Coalesce, Least, Ln
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.cases.choices import CaseStatus, PromiseStatus, WorkItemStatus
from arrears.cases.models import Activity, CollectionCase, Promise, WorkItem
from arrears.cases.scoping import cases_visible_to
from arrears.core import phones
from arrears.core.crypto import blind_index
from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan_grouped
from arrears.portfolio.choices import ContactKind, PartyRole
from arrears.portfolio.models import LoanParty

QUEUE_PAGE_SIZE = 50
PHONE, EMAIL = ContactKind.PHONE.value, ContactKind.EMAIL.value
# A broken promise stays at the top of the queue this many days after the cycle found it
# broken, unless a newer promise was taken since.
BROKEN_PROMISE_DAYS = 7
# Queue score points for risk, up to 20: from the case's propensity-to-pay score (insights'
# cycle step) when it has one, 20 × (1 − probability to pay); otherwise by its risk grade
# (A lowest risk … E highest), no grade counting as C.
RISK_POINTS_SPAN = 20.0
RISK_POINTS = {"A": 0, "B": 5, "C": 10, "D": 15, "E": 20}
RISK_POINTS_UNGRADED = 10
DPD_SCORE_CAP = 180

TIER_PROMISE, TIER_TASK, TIER_REST = 1, 2, 3


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


ROW_COLUMNS = (
    "bucket",
    "current_dpd",
    "risk_grade",
    "loan__loan_id",
    "loan__product__name",
    "loan__product__code",
    "assignee__username",
)


def _day_bounds(on: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(on, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


def queue_score() -> Any:
    """The tier-3 score of a case as a SQL expression (higher is called first):

        score = 20 × log10(1 + overdue yuan) + min(DPD, 180) / 6 + risk points

    Risk points come from the propensity-to-pay score the cycle stored for the case
    (``insights.CaseScore``): 20 × (1 − probability to pay), so a case unlikely to pay
    without a call gains up to 20 points and one about to pay anyway loses them. A case
    without a score (no model trained yet) counts its risk grade instead: A 0, B 5, C 10
    (and ungraded), D 15, E 20 — the same scale, as the grades are cut from the score.
    So 1,000 yuan overdue is worth 60 points, 10,000 yuan 80 and 100,000 yuan 100; each
    month past due adds 5 points up to 30. Amount leads (recovering more matters most), age
    and the score break near-ties. Overdue is the loan position's overdue principal,
    interest, fees and penalty from the last cycle.
    """
    overdue_fen = Cast(F("overdue"), FloatField())
    amount = Value(20.0) * Ln(Value(1.0) + overdue_fen / Value(100.0)) / Value(2.302585092994046)
    age = Cast(Least(F("current_dpd"), Value(DPD_SCORE_CAP)), FloatField()) / Value(6.0)
    unlikely = Value(1.0) - Cast(F("propensity__value"), FloatField())
    risk = Case(
        When(propensity__value__isnull=False, then=Value(RISK_POINTS_SPAN) * unlikely),
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


def _phone_forms(text: str) -> list[str]:
    """The numbers ``text`` may be, in E.164: as written when it has a country code; read
    in each country a policy pack serves otherwise (``(202) 555-0143`` is a US number for a
    US creditor's case, ``138 0013 8000`` a Chinese one), so a search finds the stored
    number whatever the form typed."""
    forms = [phones.index_form(text)]
    for region in sorted(set(phones.PACK_REGIONS.values())):
        try:
            forms.append(phones.parse_phone(text, region))
        except phones.PhoneProblem:
            continue
    return list(dict.fromkeys(forms))


def _search(queryset: QuerySet[CollectionCase], search: str) -> QuerySet[CollectionCase]:
    """Cases whose loan id, or a party's phone, email or ID number, is exactly ``search``,
    or whose borrower's name contains it. Phones, emails and ID numbers are masked on screen
    and encrypted at rest, so they are matched whole, by their blind index (the normalised
    value's keyed hash: ``138 0013 8000`` and ``+86 13800138000`` find the same number)."""
    text = search.strip()
    if not text:
        return queryset
    parties = LoanParty.objects.filter(loan_id=OuterRef("loan_id"))
    contact_indexes = [
        *(blind_index(number, scheme=PHONE) for number in _phone_forms(text)),
        blind_index(text, scheme=EMAIL),
    ]
    return queryset.filter(
        Q(loan__loan_id=text)
        | Exists(parties.filter(role=PartyRole.BORROWER, party__name__icontains=text))
        | Exists(parties.filter(party__id_number_index=blind_index(text, scheme="id")))
        | Exists(parties.filter(party__contact_points__value_index__in=contact_indexes))
    )


def _why_now(on: date) -> dict[str, Any]:
    """Why a case is near the top, as expressions on a case (``OuterRef("pk")``): a promise
    due today, a promise broken in the last ``BROKEN_PROMISE_DAYS`` days with no newer one,
    an open work item due by the end of today, the latest contact's follow-up due by then."""
    _start, end = _day_bounds(on)
    promises = Promise.objects.filter(case_id=OuterRef("pk"))
    newer = Promise.objects.filter(case_id=OuterRef("case_id"), pk__gt=OuterRef("pk"))
    # The follow-up set by the latest contact is the one that stands.
    follow_up_at = Subquery(
        Activity.objects.filter(case_id=OuterRef("pk"))
        .order_by("-at", "-id")
        .values("next_follow_up_at")[:1]
    )
    return {
        "promise_due_today": Exists(promises.filter(status=PromiseStatus.OPEN, due_on=on)),
        "promise_broken": Exists(
            promises.filter(
                status=PromiseStatus.BROKEN,
                resolved_on__gte=on - timedelta(days=BROKEN_PROMISE_DAYS),
                resolved_on__lte=on,
            ).filter(~Exists(newer))
        ),
        # The earliest open work item, not EXISTS: PostgreSQL turns an EXISTS here into a
        # hash of every open work item of the book (all due today), built on each view.
        "task_due": LessThan(
            Subquery(
                WorkItem.objects.filter(case_id=OuterRef("pk"), status=WorkItemStatus.OPEN)
                .order_by("due_at")
                .values("due_at")[:1]
            ),
            end,
        ),
        "follow_up_due": LessThan(follow_up_at, end),
    }


def _queue_queryset(
    *, user: User, search: str, filters: dict[str, Any], why: dict[str, Any]
) -> QuerySet[CollectionCase]:
    # The reasons go into the tier only: the order needs no more. The page's 50 rows get
    # them as columns in the details query, so each is evaluated once per case in scope
    # (not again for a column of every row).
    queryset = (
        cases_visible_to(user)
        .filter(status=CaseStatus.OPEN)
        .annotate(
            tier=Case(
                When(why["promise_due_today"] | why["promise_broken"], then=Value(TIER_PROMISE)),
                When(why["task_due"] | why["follow_up_due"], then=Value(TIER_TASK)),
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
        queryset = queryset.filter(
            Exists(Promise.objects.filter(case_id=OuterRef("pk"), status=PromiseStatus.OPEN))
        )
    if "tier" in filters:
        queryset = queryset.filter(tier=filters["tier"])
    return _search(queryset, search)


def _ordered(queryset: QuerySet[CollectionCase], page: int) -> list[tuple[Any, ...]]:
    """Page ``page`` of the queue in order: each case's id, tier, score, whether it is the
    reader's own, its overdue amount, and the number of cases in the whole queue (a window
    over the rows the order computes anyway, so no query of its own counts them)."""
    offset = (page - 1) * QUEUE_PAGE_SIZE
    return list(
        queryset.annotate(
            overdue=Coalesce(
                F("loan__position__overdue_principal")
                + F("loan__position__overdue_interest")
                + F("loan__position__overdue_fees")
                + F("loan__position__overdue_penalty"),
                Value(0),
            ),
            total=Window(Count("pk")),
        )
        .annotate(score=queue_score())
        .order_by("mine", "tier", "-score", "pk")
        .values_list("pk", "tier", "score", "mine", "overdue", "total")[
            offset : offset + QUEUE_PAGE_SIZE
        ]
    )


def queue_for(
    *, user: User, on: date, search: str = "", filters: dict[str, Any] | None = None
) -> QueuePage:
    """The open cases ``user`` works on business date ``on``, best first, one page of 50.

    Order: the user's own cases before their team's unassigned pool; within each, tier 1
    (a promise due today, or one broken in the last 7 days with no newer promise), then
    tier 2 (an open work item due by the end of today, or the latest contact's follow-up
    due), then tier 3; within a tier by ``queue_score`` (highest first: amount, age and
    the propensity-to-pay score), then case number.

    ``filters``: ``bucket`` (M1 …), ``product`` (code), ``has_promise`` (an open promise),
    ``tier`` (1–3), ``page`` (from 1). ``search`` matches a loan id, a party's phone or ID
    number exactly, or part of the borrower's name.

    Two queries whatever the data: the page's order with the queue's size, and the page's
    details (a page past the end costs a count and the last page's order more). The order
    is computed in the database over the user's scope, which the (assignee, status) and
    (team, status, assignee) indexes bound; every per-case test is an index probe.
    """
    clean = _parse_filters(filters or {})
    # The reasons, built once: the order's tier and the page's columns use the same.
    why = _why_now(on)
    queryset = _queue_queryset(user=user, search=search, filters=clean, why=why)
    page = clean["page"]
    ordered = _ordered(queryset, page)
    if ordered:
        total = ordered[0][-1]
    elif page == 1:
        total = 0
    else:
        # A page past the end (an old link, a queue that shrank since): the last page.
        total = queryset.count()
        page = max(1, -(-total // QUEUE_PAGE_SIZE))
        ordered = _ordered(queryset, page) if total else []
    pages = max(1, -(-total // QUEUE_PAGE_SIZE))
    details = {
        case.pk: case
        for case in CollectionCase.objects.filter(pk__in=[row[0] for row in ordered])
        .select_related("loan", "loan__product", "assignee")
        # The columns a row shows: whole cases, loans and users were most of the query's
        # bytes and of the time spent making objects of them.
        .only(*ROW_COLUMNS)
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
            **why,
        )
    }
    rows = []
    for pk, tier, score, mine, overdue, _total in ordered:
        case: Any = details[pk]
        rows.append(
            QueueRow(
                case_id=pk,
                loan_id=case.loan.loan_id,
                borrower=case.borrower or "",
                # Its name (消费贷) where the product has one; the filter takes its code.
                product=(case.loan.product.name or case.loan.product.code)
                if case.loan.product
                else "",
                bucket=case.bucket,
                dpd=case.current_dpd,
                overdue=int(overdue or 0),
                risk_grade=case.risk_grade,
                tier=tier,
                score=round(float(score or 0), 1),
                mine=mine == 0,
                promise_due_today=bool(case.promise_due_today),
                promise_broken=bool(case.promise_broken),
                task_due=bool(case.task_due),
                follow_up_due=bool(case.follow_up_due),
                promise_due_on=case.promise_due_on,
                assignee=case.assignee.get_username() if case.assignee else "",
            )
        )
    return QueuePage(rows, page=page, pages=pages, total=total)


def queue_next(*, user: User, on: date) -> int | None:
    """The first case of ``user``'s queue on ``on`` (None when the queue is empty)."""
    page = queue_for(user=user, on=on)
    return page[0].case_id if page else None
