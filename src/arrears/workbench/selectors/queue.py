"""The collector's queue: the open cases a person works on a business date, best first.

Every read starts from ``arrears.cases.scoping.cases_visible_to``, so a case outside the
reader's scope is never listed. Two queries whatever the data: the page's order with the
queue's size, and the page's details.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.cases.scoping import cases_visible_to, scope_shape
from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan_grouped
from arrears.workbench.selectors.queue_sql import (
    FROZEN_PAGES,
    QUEUE_PAGE_SIZE,
    ROW_COLUMNS,
    details,
    frozen_details,
    frozen_order,
    moments,
    ordered,
    queue_queryset,
    why_now,
)

__all__ = ["QUEUE_PAGE_SIZE", "QueuePage", "QueueRow", "queue_for", "queue_next"]


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
    (team, status, assignee) indexes bound; every per-case test is an index probe. The
    first pages without filters or search, for a reader whose scope is made of ids, are
    statements compiled once (``queue_sql``).
    """
    clean = _parse_filters(filters or {})
    page = clean["page"]
    when = moments(on)

    # Built only when the statements are built here (not frozen), and then once: the
    # order's tier and the page's columns use the same reasons.
    @cache
    def why() -> dict[str, Any]:
        return why_now(**when)

    def queryset() -> Any:
        return queue_queryset(
            cases_visible_to(user), reader_id=user.pk, search=search, filters=clean, why=why()
        )

    shape = scope_shape(user)
    if shape is not None and not search and set(clean) == {"page"} and page <= FROZEN_PAGES:
        form, ids = shape
        found = frozen_order(form, tuple(sorted(ids)), page).list(reader_id=user.pk, **ids, **when)
        frozen = True
    else:
        found, frozen = list(ordered(queryset(), page)), False
    if found:
        total = found[0][-1]
    elif page == 1:
        total = 0
    else:
        # A page past the end (an old link, a queue that shrank since): the last page.
        total = queryset().count()
        page = max(1, -(-total // QUEUE_PAGE_SIZE))
        found, frozen = (list(ordered(queryset(), page)) if total else []), False
    pages = max(1, -(-total // QUEUE_PAGE_SIZE))
    ids_shown = [row[0] for row in found]
    columns = frozen_details(ids_shown, when) if frozen else list(details(ids_shown, why()))
    by_case = {values[0]: dict(zip(ROW_COLUMNS, values, strict=True)) for values in columns}
    shown = []
    for pk, tier, score, mine, overdue, _total in found:
        case = by_case[pk]
        shown.append(
            QueueRow(
                case_id=pk,
                loan_id=case["loan__loan_id"],
                borrower=case["borrower"] or "",
                # Its name (消费贷) where the product has one; the filter takes its code.
                product=case["loan__product__name"] or case["loan__product__code"] or "",
                bucket=case["bucket"],
                dpd=case["current_dpd"],
                overdue=int(overdue or 0),
                risk_grade=case["risk_grade"],
                tier=tier,
                score=round(float(score or 0), 1),
                mine=mine == 0,
                promise_due_today=bool(case["promise_due_today"]),
                promise_broken=bool(case["promise_broken"]),
                task_due=bool(case["task_due"]),
                follow_up_due=bool(case["follow_up_due"]),
                promise_due_on=case["promise_due_on"],
                assignee=case["assignee__username"] or "",
            )
        )
    return QueuePage(shown, page=page, pages=pages, total=total)


def queue_next(*, user: User, on: date) -> int | None:
    """The first case of ``user``'s queue on ``on`` (None when the queue is empty)."""
    page = queue_for(user=user, on=on)
    return page[0].case_id if page else None
