"""Which cases a person may see (DESIGN.md rule 10): every read of cases starts here.

A collector or field agent sees the cases assigned to them and their team's unassigned pool,
except cases placed with an outside agency (委外) while placed; a team lead their team's
cases (placed ones too, to recall them); an agency collector the open cases placed with
their agency, and none once recalled; a manager, legal officer or auditor the portfolios of
the creditors they are given; an administrator everything. A case outside the scope is
reported as not found, so its existence does not leak.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.cases.choices import CaseStatus
from arrears.cases.models import CollectionCase


def case_scope(user: User) -> Q:
    """The filter on ``CollectionCase`` that holds exactly the cases ``user`` may see."""
    if not user.is_active:
        return Q(pk__in=[])
    if user.role == Role.ADMIN or user.is_superuser:
        return Q()
    if user.role == Role.AGENCY_COLLECTOR:
        if user.agency_id is None:
            return Q(pk__in=[])
        return Q(agency_id=user.agency_id, status=CaseStatus.OPEN)
    if user.role in (Role.COLLECTOR, Role.FIELD_AGENT):
        # A case placed with an agency leaves the lender's own queues until it is recalled.
        in_house = Q(agency__isnull=True)
        own = Q(assignee_id=user.pk)
        if user.team_id is None:
            return own & in_house
        return (own | Q(team_id=user.team_id, assignee__isnull=True)) & in_house
    if user.role == Role.TEAM_LEAD:
        return Q(team_id=user.team_id) if user.team_id is not None else Q(pk__in=[])
    # Managers, legal officers and auditors: their creditors' portfolios.
    return Q(creditor_id__in=list(user.creditors.values_list("pk", flat=True)))


def cases_visible_to(user: User) -> QuerySet[CollectionCase]:
    """Every case ``user`` may see (open and closed)."""
    return CollectionCase.objects.filter(case_scope(user))


# The ids a scope's filter is made of, by name, and the attributes of a user that carry them.
_SCOPE_IDS = {"user_id": "pk", "team_id": "team_id", "agency_id": "agency_id"}


def scope_shape(user: User) -> tuple[tuple[str, bool], dict[str, int]] | None:
    """What decides the *form* of ``case_scope(user)``'s filter, and the ids that fill it,
    for the readers whose filter holds nothing but ids: ``((role, superuser), ids)``.
    None for the others (a manager's list of creditors, an inactive user). Two users of the
    same shape get the same statement with their own ids (``scope_stand_in`` rebuilds the
    filter from the shape), so a statement can be compiled once per shape
    (``core.frozen``). Whatever ``case_scope`` comes to depend on must be in the shape:
    tests/cases/test_scope_shape.py compares both for every role."""
    if not user.is_active:
        return None
    if user.role == Role.ADMIN or user.is_superuser:
        return (str(user.role), bool(user.is_superuser)), {}
    if user.role == Role.AGENCY_COLLECTOR:
        names: tuple[str, ...] = ("agency_id",) if user.agency_id is not None else ()
    elif user.role in (Role.COLLECTOR, Role.FIELD_AGENT):
        names = ("user_id", "team_id") if user.team_id is not None else ("user_id",)
    elif user.role == Role.TEAM_LEAD:
        names = ("team_id",) if user.team_id is not None else ()
    else:
        return None
    if not names:
        return None  # sees nothing: no statement worth keeping
    ids = {name: int(getattr(user, _SCOPE_IDS[name])) for name in names}
    return (str(user.role), False), ids


def scope_stand_in(shape: tuple[str, bool], **ids: int) -> User:
    """An unsaved user of ``shape`` with ``ids``, whose ``case_scope`` is the filter of
    every user of that shape with those ids."""
    role, superuser = shape
    return User(
        pk=ids.get("user_id"),
        role=role,
        is_superuser=superuser,
        is_active=True,
        team_id=ids.get("team_id"),
        agency_id=ids.get("agency_id"),
    )
