"""Reads for the agency pages: a case's placement for its panel, the placements and the
playbook's pending placement tasks a team lead or manager may act on (in their scope)."""

from __future__ import annotations

from dataclasses import dataclass

from arrears.accounts.models import User
from arrears.agencies.models import Placement
from arrears.agencies.selectors import active_placement_of, placement_recovered
from arrears.agencies.services import PLACEMENT_TASK
from arrears.cases.choices import CaseStatus, WorkItemStatus
from arrears.cases.models import CollectionCase, WorkItem
from arrears.cases.scoping import cases_visible_to

LIST_LIMIT = 200


@dataclass(frozen=True)
class CasePlacement:
    """What the case page shows about the case's active placement."""

    placement: Placement
    recovered: int  # fen, so far in the window


def case_placement(case: CollectionCase) -> CasePlacement | None:
    """The case's active placement and what it has recovered, or ``None``."""
    placement = active_placement_of(case.pk)
    if placement is None:
        return None
    return CasePlacement(placement=placement, recovered=placement_recovered(placement))


def pending_placement_tasks(user: User) -> list[WorkItem]:
    """Open playbook placement tasks of open, unplaced cases in ``user``'s scope, oldest
    due first (at most ``LIST_LIMIT``)."""
    cases = cases_visible_to(user).filter(status=CaseStatus.OPEN, agency__isnull=True)
    return list(
        WorkItem.objects.filter(
            type=PLACEMENT_TASK, status=WorkItemStatus.OPEN, case__in=cases.values("pk")
        )
        .select_related("case", "loan")
        .order_by("due_at", "id")[:LIST_LIMIT]
    )


def active_placements(user: User) -> list[Placement]:
    """Active placements of cases in ``user``'s scope, ending soonest first."""
    return list(
        Placement.objects.filter(status="active", case__in=cases_visible_to(user).values("pk"))
        .select_related("agency", "loan", "contract")
        .order_by("ends_on", "id")[:LIST_LIMIT]
    )
