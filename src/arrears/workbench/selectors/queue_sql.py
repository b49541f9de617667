"""The queue's statements: the order of a person's open cases and the columns of a page's
rows, as querysets, and the same compiled once per form of the reader's scope for the page
asked all day — the first pages of the queue without filters or search (``core.frozen``:
building and compiling them took the ORM 4–5 ms a page, as long as the database took to
answer).
"""

from __future__ import annotations

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

from arrears.cases.choices import CaseStatus, PromiseStatus, WorkItemStatus
from arrears.cases.models import Activity, CollectionCase, Promise, WorkItem
from arrears.cases.scoping import cases_visible_to, scope_stand_in
from arrears.core import phones
from arrears.core.crypto import blind_index
from arrears.core.frozen import FrozenQuery
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

# The pages of a queue without filters or search whose statements are kept compiled.
FROZEN_PAGES = 5
# The columns of a page's rows, in the details statement's order.
ROW_COLUMNS = (
    "pk",
    "bucket",
    "current_dpd",
    "risk_grade",
    "loan__loan_id",
    "loan__product__name",
    "loan__product__code",
    "assignee__username",
    "borrower",
    "promise_due_on",
    "promise_due_today",
    "promise_broken",
    "task_due",
    "follow_up_due",
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


def search_cases(queryset: QuerySet[CollectionCase], search: str) -> QuerySet[CollectionCase]:
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


def moments(on: date) -> dict[str, Any]:
    """The dates and the instant the reasons of business date ``on`` are judged by: ``on``
    itself, the first day a broken promise still counts (``week_ago``) and the end of the
    day (``end``, in the current time zone)."""
    _start, end = _day_bounds(on)
    return {"on": on, "week_ago": on - timedelta(days=BROKEN_PROMISE_DAYS), "end": end}


def why_now(*, on: date, week_ago: date, end: datetime) -> dict[str, Any]:
    """Why a case is near the top, as expressions on a case (``OuterRef("pk")``): a promise
    due today, a promise broken in the last ``BROKEN_PROMISE_DAYS`` days with no newer one,
    an open work item due by the end of today, the latest contact's follow-up due by then
    (``moments(on)``)."""
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
                resolved_on__gte=week_ago,
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


def queue_queryset(
    scope: QuerySet[CollectionCase],
    *,
    reader_id: int,
    search: str,
    filters: dict[str, Any],
    why: dict[str, Any],
) -> QuerySet[CollectionCase]:
    """The reader's open cases in ``scope`` with their tier and whether each is the
    reader's own, filtered and searched."""
    # The reasons go into the tier only: the order needs no more. The page's 50 rows get
    # them as columns in the details query, so each is evaluated once per case in scope
    # (not again for a column of every row).
    queryset = scope.filter(status=CaseStatus.OPEN).annotate(
        tier=Case(
            When(why["promise_due_today"] | why["promise_broken"], then=Value(TIER_PROMISE)),
            When(why["task_due"] | why["follow_up_due"], then=Value(TIER_TASK)),
            default=Value(TIER_REST),
            output_field=IntegerField(),
        ),
        mine=Case(
            When(assignee_id=reader_id, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
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
    return search_cases(queryset, search)


def ordered(queryset: QuerySet[CollectionCase], page: int) -> QuerySet[Any, tuple[Any, ...]]:
    """Page ``page`` of the queue in order: each case's id, tier, score, whether it is the
    reader's own, its overdue amount, and the number of cases in the whole queue (a window
    over the rows the order computes anyway, so no query of its own counts them)."""
    offset = (page - 1) * QUEUE_PAGE_SIZE
    return (
        queryset.annotate(
            # The position joined on the case's loan id (``CollectionCase.position``), not
            # through the loan: that hop was a third of this statement's work.
            overdue=Coalesce(
                F("position__overdue_principal")
                + F("position__overdue_interest")
                + F("position__overdue_fees")
                + F("position__overdue_penalty"),
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


def details(ids: list[int], why: dict[str, Any]) -> QuerySet[Any, tuple[Any, ...]]:
    """The columns (``ROW_COLUMNS``) of the cases ``ids``: plain values, not whole cases,
    loans, products and users (most of the query's bytes, and making 200 model objects of
    them a page cost more than the database's answer)."""
    return (
        CollectionCase.objects.filter(pk__in=ids)
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
        .values_list(*ROW_COLUMNS)
    )


_MOMENTS = {"dates": ("on", "week_ago"), "instants": ("end",)}
_FROZEN_ORDERS: dict[tuple[Any, ...], FrozenQuery[tuple[Any, ...]]] = {}
_PAGE_IDS = tuple(f"id{number:02d}" for number in range(QUEUE_PAGE_SIZE))


def frozen_order(
    shape: tuple[str, bool], names: tuple[str, ...], page: int
) -> FrozenQuery[tuple[Any, ...]]:
    """Page ``page`` of the order of a queue without filters or search, for readers of
    ``shape`` (``cases.scoping.scope_shape``) with ids ``names`` and ``reader_id``."""
    key = (shape, names, page)
    frozen = _FROZEN_ORDERS.get(key)
    if frozen is None:

        def build(reader_id: int, on: date, week_ago: date, end: datetime, **ids: int) -> Any:
            scope = cases_visible_to(scope_stand_in(shape, **ids))
            why = why_now(on=on, week_ago=week_ago, end=end)
            queryset = queue_queryset(scope, reader_id=reader_id, search="", filters={}, why=why)
            return ordered(queryset, page)

        frozen = FrozenQuery(build, ids=("reader_id", *names), **_MOMENTS)
        _FROZEN_ORDERS[key] = frozen
    return frozen


def _build_details(on: date, week_ago: date, end: datetime, **ids: int) -> Any:
    return details([ids[name] for name in _PAGE_IDS], why_now(on=on, week_ago=week_ago, end=end))


# A page's rows by their ids, padded to a full page with the last id (the same rows), so
# one statement serves every page.
FROZEN_DETAILS = FrozenQuery(_build_details, ids=_PAGE_IDS, **_MOMENTS)


def frozen_details(ids: list[int], moments: dict[str, Any]) -> list[tuple[Any, ...]]:
    """``details(ids, why_now(**moments))`` from the statement compiled once."""
    if not ids:
        return []
    padded = [*ids, *[ids[-1]] * (QUEUE_PAGE_SIZE - len(ids))]
    return FROZEN_DETAILS.list(**dict(zip(_PAGE_IDS, padded, strict=True)), **moments)
