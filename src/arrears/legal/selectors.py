"""Reads of the legal desk: matters in a person's scope, their deadlines, a matter's page.

Scope: a legal officer, manager or auditor sees the matters of their creditors
(``User.creditors``, as for the loan pages), an administrator all. Every list is a fixed
number of queries whatever its length.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet

from arrears.accounts.choices import Role
from arrears.accounts.roles import role_can
from arrears.accounts.selectors import creditor_ids_of
from arrears.core.money import format_yuan
from arrears.legal.calculations.deadlines import Deadline, Event, matter_deadlines
from arrears.legal.choices import MatterStatus
from arrears.legal.models import Matter, MatterEvent


def matters_in_scope(user: Any = None) -> QuerySet[Matter]:
    """The matters ``user`` may see: all for the command line's ``None`` and an
    administrator, their creditors' for the roles of the legal desk, none for anyone else
    (a collector learns of a matter from the case page's litigation mark)."""
    queryset = Matter.objects.select_related("loan", "creditor")
    if user is None or (user.is_active and (user.is_superuser or user.role == Role.ADMIN)):
        return queryset
    if not user.is_active or not role_can(user.role, "legal_view"):
        return queryset.none()
    return queryset.filter(creditor_id__in=creditor_ids_of(user))


def events_by_matter(matter_ids: Iterable[int]) -> dict[int, list[Event]]:
    """Each matter's events, as the deadline rules read them (one query)."""
    found: dict[int, list[Event]] = {}
    rows = (
        MatterEvent.objects.filter(matter_id__in=list(matter_ids))
        .order_by("occurred_on", "id")
        .values_list("matter_id", "kind", "occurred_on")
    )
    for matter_id, kind, on in rows:
        found.setdefault(matter_id, []).append(Event(kind, on))
    return found


@dataclass(frozen=True)
class MatterDeadline:
    """A deadline running on an open matter, with what the list shows of the matter."""

    matter: Matter
    deadline: Deadline

    def report(self, *, today: date) -> dict[str, Any]:
        """The JSON row of ``arrears legal deadlines``."""
        return {
            "matter": self.matter.pk,
            "loan_id": self.matter.loan.loan_id,
            "kind": self.deadline.code,
            "due_on": self.deadline.due_on.isoformat(),
            "rule": self.deadline.rule,
            "label": self.deadline.label,
            "matter_kind": self.matter.kind,
            "court": self.matter.court,
            "case_number": self.matter.case_number,
            "starts_on": self.deadline.starts_on.isoformat(),
            "days_left": (self.deadline.due_on - today).days,
        }


def deadlines_running(
    *, user: Any = None, today: date, within: int | None = None
) -> list[MatterDeadline]:
    """Deadlines of the open matters in scope, soonest first; with ``within``, only those
    due by ``today + within`` days (missed ones included: they are the most urgent)."""
    matters = list(matters_in_scope(user).filter(status=MatterStatus.OPEN))
    events = events_by_matter(m.pk for m in matters)
    horizon = today + timedelta(days=within) if within is not None else None
    rows = [
        MatterDeadline(matter, deadline)
        for matter in matters
        for deadline in matter_deadlines(matter.kind, events.get(matter.pk, []))
        if horizon is None or deadline.due_on <= horizon
    ]
    rows.sort(key=lambda row: (row.deadline.due_on, row.matter.pk, row.deadline.code))
    return rows


def matter_deadlines_of(matter: Matter) -> list[Deadline]:
    """The deadlines running on one matter (none once it is closed)."""
    if matter.status != MatterStatus.OPEN:
        return []
    return matter_deadlines(matter.kind, events_by_matter([matter.pk]).get(matter.pk, []))


def matter_report(matter: Matter) -> dict[str, Any]:
    """A matter as ``arrears legal matter … --json`` prints it."""
    return {
        "id": matter.pk,
        "loan_id": matter.loan.loan_id,
        "loans": list(
            matter.matter_loans.order_by("loan__loan_id").values_list("loan__loan_id", flat=True)
        ),
        "kind": matter.kind,
        "status": matter.status,
        "outcome": matter.outcome,
        "court": matter.court,
        "case_number": matter.case_number,
        "opened_on": matter.opened_on.isoformat(),
        "filed_on": matter.filed_on.isoformat() if matter.filed_on else None,
        "closed_on": matter.closed_on.isoformat() if matter.closed_on else None,
        "claim_amount": format_yuan(matter.claim_amount),
        "hold": matter.hold_id is not None,
        "events": [
            {
                "kind": e.kind,
                "on": e.occurred_on.isoformat(),
                "amount": format_yuan(e.amount),
                "note": e.note,
            }
            for e in matter.events.order_by("occurred_on", "id")
        ],
        "costs": [
            {
                "kind": c.kind,
                "amount": format_yuan(c.amount),
                "on": c.incurred_on.isoformat(),
                "recoverable": c.recoverable,
            }
            for c in matter.costs.order_by("incurred_on", "id")
        ],
        "deadlines": [
            {"kind": d.code, "due_on": d.due_on.isoformat(), "rule": d.rule, "label": d.label}
            for d in matter_deadlines_of(matter)
        ],
    }
