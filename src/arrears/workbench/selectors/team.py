"""Reads for the team view (组长/经理看板): a team's open cases by bucket, its promises, the
work each member did today and their load, and the case a reassignment form names.

Every figure is an aggregate computed by the database, so the page costs the same handful of
queries for ten cases or a hundred thousand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.choices import Role
from arrears.accounts.models import Team, User
from arrears.accounts.roles import WORKERS
from arrears.cases.choices import CaseStatus, PromiseStatus
from arrears.cases.models import Activity, CollectionCase, Promise
from arrears.cases.scoping import cases_visible_to
from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan_grouped as format_yuan

KEPT_RATE_DAYS = 30


@dataclass(frozen=True)
class BucketLine:
    """Open cases of the team in one bucket: how many, how many still in the pool, and the
    overdue amount (fen)."""

    bucket: str
    cases: int
    unassigned: int
    overdue: int

    @property
    def overdue_yuan(self) -> str:
        return format_yuan(self.overdue)


@dataclass(frozen=True)
class MemberLine:
    """A team member's day: contacts recorded and promises taken today, open cases against
    capacity."""

    id: int
    username: str
    name: str
    role: str
    capacity: int
    open_cases: int
    activities_today: int
    promises_today: int
    promised_today: int

    @property
    def load_percent(self) -> int:
        return round(100 * self.open_cases / self.capacity) if self.capacity else 0

    @property
    def over_capacity(self) -> bool:
        return self.open_cases > self.capacity

    @property
    def promised_today_yuan(self) -> str:
        return format_yuan(self.promised_today)


@dataclass(frozen=True)
class TeamOverview:
    """Everything the team view shows for one team on one business date."""

    team: Team
    on: date
    buckets: list[BucketLine]
    promises_due_today: int
    promises_due_today_kept: int
    promises_due_today_amount: int
    kept: int
    broken: int
    members: list[MemberLine]

    @property
    def open_cases(self) -> int:
        return sum(line.cases for line in self.buckets)

    @property
    def unassigned(self) -> int:
        return sum(line.unassigned for line in self.buckets)

    @property
    def overdue_yuan(self) -> str:
        return format_yuan(sum(line.overdue for line in self.buckets))

    @property
    def promises_due_today_yuan(self) -> str:
        return format_yuan(self.promises_due_today_amount)

    @property
    def kept_rate(self) -> int | None:
        """Kept promises as a whole percentage of those judged in the last 30 days; None
        when none was judged (no rate is better than a misleading 0 %)."""
        judged = self.kept + self.broken
        return round(100 * self.kept / judged) if judged else None


def teams_for(user: User) -> list[Team]:
    """The teams ``user`` may look at: a team lead their own, a manager every team of their
    creditors; nobody else any."""
    if user.role == Role.TEAM_LEAD:
        return [user.team] if user.team_id is not None and user.team is not None else []
    if user.role == Role.MANAGER:
        return list(
            Team.objects.filter(creditor__in=user.creditors.all())
            .select_related("creditor")
            .order_by("name")
        )
    return []


def _bucket_key(bucket: str) -> tuple[int, str]:
    digits = re.search(r"\d+", bucket)
    return (int(digits.group()) if digits else 0, bucket)


def _day_bounds(on: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(on, time.min))
    return start, start + timedelta(days=1)


def team_members(teams: list[Team]) -> list[User]:
    """Active people of ``teams`` who work cases (collectors, field agents, leads)."""
    return list(
        User.objects.filter(team__in=[t.pk for t in teams], is_active=True, role__in=WORKERS)
        .order_by("team_id", "username")
        .only("id", "username", "first_name", "last_name", "role", "capacity", "team_id")
    )


def team_overview(*, team: Team, on: date, people: list[User] | None = None) -> TeamOverview:
    """The team's figures on business date ``on`` (see ``TeamOverview``); ``people`` are
    the members already read by the caller (``team_members``), to save reading them again."""
    overdue = (
        Coalesce(F("loan__position__overdue_principal"), Value(0))
        + Coalesce(F("loan__position__overdue_interest"), Value(0))
        + Coalesce(F("loan__position__overdue_fees"), Value(0))
        + Coalesce(F("loan__position__overdue_penalty"), Value(0))
    )
    rows = (
        CollectionCase.objects.filter(team=team, status=CaseStatus.OPEN)
        .order_by()
        .values("bucket")
        .annotate(
            cases=Count("id"),
            unassigned=Count("id", filter=Q(assignee__isnull=True)),
            overdue=Coalesce(Sum(overdue), Value(0)),
        )
    )
    buckets = sorted(
        (BucketLine(r["bucket"], r["cases"], r["unassigned"], int(r["overdue"])) for r in rows),
        key=lambda line: _bucket_key(line.bucket),
    )
    team_promises = Promise.objects.filter(case__team=team).order_by()
    due = team_promises.filter(due_on=on).exclude(status=PromiseStatus.CANCELLED)
    due_today = due.aggregate(
        count=Count("id"),
        kept=Count("id", filter=Q(status=PromiseStatus.KEPT)),
        amount=Coalesce(Sum("amount"), Value(0)),
    )
    judged = team_promises.filter(
        resolved_on__gt=on - timedelta(days=KEPT_RATE_DAYS), resolved_on__lte=on
    ).aggregate(
        kept=Count("id", filter=Q(status=PromiseStatus.KEPT)),
        broken=Count("id", filter=Q(status=PromiseStatus.BROKEN)),
    )

    if people is None:
        people = team_members([team])
    else:
        people = [person for person in people if person.team_id == team.pk]
    ids = [person.pk for person in people]
    open_cases = dict(
        CollectionCase.objects.filter(status=CaseStatus.OPEN, assignee_id__in=ids)
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
    )
    start, end = _day_bounds(on)
    activities = dict(
        Activity.objects.filter(by_id__in=ids, at__gte=start, at__lt=end)
        .order_by()
        .values("by_id")
        .annotate(n=Count("id"))
        .values_list("by_id", "n")
    )
    promises = {
        row["by_id"]: (row["n"], row["amount"])
        for row in Promise.objects.filter(by_id__in=ids, made_on=on)
        .exclude(status=PromiseStatus.CANCELLED)
        .order_by()
        .values("by_id")
        .annotate(n=Count("id"), amount=Sum("amount"))
    }
    members = [
        MemberLine(
            id=person.pk,
            username=person.username,
            name=person.get_full_name() or person.username,
            role=person.get_role_display(),
            capacity=person.capacity,
            open_cases=open_cases.get(person.pk, 0),
            activities_today=activities.get(person.pk, 0),
            promises_today=promises.get(person.pk, (0, 0))[0],
            promised_today=int(promises.get(person.pk, (0, 0))[1] or 0),
        )
        for person in people
    ]
    return TeamOverview(
        team=team,
        on=on,
        buckets=buckets,
        promises_due_today=due_today["count"],
        promises_due_today_kept=due_today["kept"],
        promises_due_today_amount=int(due_today["amount"]),
        kept=judged["kept"],
        broken=judged["broken"],
        members=members,
    )


def case_for_reassignment(*, user: User, ref: str) -> CollectionCase:
    """The open case ``user`` may see that ``ref`` names: a case number or a loan id.

    A case outside the user's scope reads exactly like one that does not exist.
    """
    ref = (ref or "").strip().removeprefix("#")
    if not ref:
        raise InvalidInput(_("enter a case number or a loan id"), field="case")
    match = Q(loan__loan_id=ref)
    if ref.isdigit():
        match |= Q(pk=int(ref))
    found = list(
        cases_visible_to(user).filter(match, status=CaseStatus.OPEN).select_related("loan")[:2]
    )
    if not found:
        raise InvalidInput(_("no open case %(ref)s among your cases") % {"ref": ref}, field="case")
    if len(found) > 1:
        raise InvalidInput(
            _("%(ref)s names more than one open case; enter the case number") % {"ref": ref},
            field="case",
        )
    return found[0]
