"""The demo's collection department: two teams and one person per role, named for the role.

Only ``arrears demo`` calls this. Every demo user has the password in
``ARREARS_DEMO_PASSWORD`` (default ``arrears-demo``, printed by ``make run``); nothing else in
Arrears has a default password.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from arrears.accounts.choices import AssignmentMethod, Role
from arrears.accounts.models import Team, User
from arrears.portfolio.models import Creditor

DEFAULT_DEMO_PASSWORD = "arrears-demo"
# The demo's administrator (``arrears demo`` makes it; ``arrears serve`` names it).
DEMO_USERNAME = "demo"


def demo_password() -> str:
    """The demo users' password: ``ARREARS_DEMO_PASSWORD`` or the printed default."""
    return os.environ.get("ARREARS_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


_HASHED: dict[tuple[str, tuple[str, ...]], str] = {}


def demo_password_set(user: User) -> None:
    """Give ``user`` the demo password (not saved). The demo users share one password, so it
    is hashed once per process and the one hash is stored for each of them: the production
    hasher (PBKDF2, 1,000,000 rounds) spends 0.35 s of CPU on every hash, which ten users
    made 3.5 s of each ``arrears demo``. Signing in checks it as any other hash."""
    password = demo_password()
    key = (password, tuple(settings.PASSWORD_HASHERS))
    if key not in _HASHED:
        _HASHED[key] = make_password(password)
    user.password = _HASHED[key]


@dataclass(frozen=True)
class DemoPerson:
    username: str
    name: str
    role: str
    team: str = ""
    capacity: int = 400


EARLY_TEAM = "M1 电催组"
LATE_TEAM = "M2+ 外访组"
PEOPLE = (
    DemoPerson("collector1", "张催收", Role.COLLECTOR, EARLY_TEAM, capacity=60),
    DemoPerson("collector2", "李催收", Role.COLLECTOR, EARLY_TEAM, capacity=60),
    DemoPerson("fieldagent", "王外访", Role.FIELD_AGENT, LATE_TEAM),
    DemoPerson("lead", "赵组长", Role.TEAM_LEAD, EARLY_TEAM),
    DemoPerson("manager", "钱经理", Role.MANAGER),
    DemoPerson("legal", "孙法务", Role.LEGAL_OFFICER),
    DemoPerson("auditor", "周审计", Role.COMPLIANCE_AUDITOR),
    DemoPerson("admin", "吴管理员", Role.ADMIN),
)


@transaction.atomic
def demo_workforce_create(*, creditor: Creditor) -> list[User]:
    """Create (or leave as they are) the demo teams and users for ``creditor``."""
    teams = {
        EARLY_TEAM: Team.objects.get_or_create(
            name=EARLY_TEAM,
            defaults={
                "creditor": creditor,
                "buckets": "M1",
                "assignment_method": AssignmentMethod.ROUND_ROBIN,
            },
        )[0],
        LATE_TEAM: Team.objects.get_or_create(
            name=LATE_TEAM,
            defaults={
                "creditor": creditor,
                "buckets": "M2,M3,M4,M5,M6,M7",
                "assignment_method": AssignmentMethod.BALANCED_AMOUNT,
            },
        )[0],
    }
    users = []
    for person in PEOPLE:
        user, created = User.objects.get_or_create(
            username=person.username,
            defaults={
                "first_name": person.name,
                "role": person.role,
                "team": teams.get(person.team),
                "capacity": person.capacity,
                "is_staff": person.role == Role.ADMIN,
                "is_superuser": person.role == Role.ADMIN,
            },
        )
        if created:
            demo_password_set(user)
            user.save(update_fields=["password"])
            if person.role in (Role.MANAGER, Role.LEGAL_OFFICER, Role.COMPLIANCE_AUDITOR):
                user.creditors.add(creditor)
        users.append(user)
    return users
