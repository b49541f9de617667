"""The world the browser tests play in: one creditor, two M1 teams, a person in every role
with a known password, a few overdue loans brought in through the tape importer and turned
into cases by the daily cycle, and a repayment plan waiting for the team lead.

Cases are assigned directly (not by the assignment rules) so each test knows whose case is
whose; the plan is made directly with the models so the approval test does not depend on the
quote form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.utils import timezone

from arrears.accounts.choices import AssignmentMethod, Role
from arrears.accounts.models import Agency, Team, User
from arrears.cases.choices import PlanStatus
from arrears.cases.models import CollectionCase, PlanInstallment, RepaymentPlan
from arrears.compliance.models import CompliancePolicy
from arrears.cycle.runner import cycle_run
from arrears.portfolio.models import Creditor
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

PASSWORD = "e2e-Arrears-2026"

# username -> (role, team); None is no team.
PEOPLE: dict[str, tuple[str, str | None]] = {
    "collector1": (Role.COLLECTOR, "A"),
    "collector2": (Role.COLLECTOR, "B"),
    "fieldagent": (Role.FIELD_AGENT, "A"),
    "lead": (Role.TEAM_LEAD, "A"),
    "leadb": (Role.TEAM_LEAD, "B"),
    "manager": (Role.MANAGER, None),
    "legal": (Role.LEGAL_OFFICER, None),
    "auditor": (Role.COMPLIANCE_AUDITOR, None),
    "admin": (Role.ADMIN, None),
    # An outside agency's collector: no team, belongs to the world's agency (``World.agency``)
    # and sees only the cases placed with it (none, unless a test places one). Not named
    # ``agency1``: tests/e2e/test_agency_placement.py adds that user with its own agency.
    "agencycollector": (Role.AGENCY_COLLECTOR, None),
}

# The agency that ``agencycollector`` works for.
AGENCY_NAME, AGENCY_CODE = "E2E 委外", "e2e-agency"


@dataclass
class World:
    """What the tests look up: the business date, people by username and cases by loan id."""

    today: date
    creditor: Creditor
    team_a: Team
    team_b: Team
    users: dict[str, User]
    cases: dict[str, CollectionCase]
    pending_plan: RepaymentPlan
    agency: Agency | None = None
    # Ids of what a test adds to the world (a visit, a sample …), for code that may not
    # query the database when it needs them (a browser test's page list).
    ids: dict[str, int] = field(default_factory=dict)


def daytime_zone(now: datetime) -> str:
    """A time zone where ``now`` falls around midday.

    The compliance gate refuses calls outside 08:00–20:00 in the debtor's time zone; giving the
    creditor's debtors a zone where it is day lets the call test run at any hour of the real
    clock. ``Etc/GMT-N`` is UTC+N (the sign is POSIX's).
    """
    offset = 12 - now.astimezone(UTC).hour  # from +12 (00 UTC) to -11 (23 UTC)
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def world_build(tmp_path: Path) -> World:
    """Create the world in the (transactional) test database and return its handles."""
    today = timezone.localdate()
    creditor = Creditor.objects.create(name="E2E 小贷")
    CompliancePolicy.objects.create(creditor=creditor, time_zone=daytime_zone(timezone.now()))
    team_a = Team.objects.create(
        name="M1 team A",
        creditor=creditor,
        buckets="M1",
        assignment_method=AssignmentMethod.ROUND_ROBIN,
    )
    team_b = Team.objects.create(name="M1 team B", creditor=creditor, buckets="M1")
    teams = {"A": team_a, "B": team_b}
    agency = Agency.objects.create(name=AGENCY_NAME, code=AGENCY_CODE)
    users: dict[str, User] = {}
    for username, (role, team) in PEOPLE.items():
        user = User.objects.create_user(
            username,
            password=PASSWORD,
            role=role,
            team=teams[team] if team else None,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
            agency=agency if role == Role.AGENCY_COLLECTOR else None,
        )
        if role in (Role.MANAGER, Role.LEGAL_OFFICER, Role.COMPLIANCE_AUDITOR):
            user.creditors.add(creditor)
        users[username] = user

    # Disbursed 40 days ago: the first installment fell due about ten days ago, so every
    # loan is in M1 today.
    disbursed = (today - timedelta(days=40)).isoformat()
    names = {"E2E-A1": "王小明", "E2E-A2": "李华", "E2E-A3": "陈静", "E2E-B1": "赵强"}
    rows = [
        loan_row(loan_id, borrower_name=name, principal="12,000.00", disbursed_on=disbursed)
        for loan_id, name in names.items()
    ]
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "e2e.csv", rows))
    cycle_run(on=today)

    cases = {
        case.loan.loan_id: case
        for case in CollectionCase.objects.select_related("loan").filter(creditor=creditor)
    }
    assignments = {
        "E2E-A1": (team_a, users["collector1"]),
        "E2E-A2": (team_a, users["collector1"]),
        "E2E-A3": (team_a, None),  # team A's pool
        "E2E-B1": (team_b, users["collector2"]),
    }
    for loan_id, (owner, assignee) in assignments.items():
        case = cases[loan_id]
        case.team, case.assignee = owner, assignee
        case.assigned_on = today if assignee else None
        case.save(update_fields=["team", "assignee", "assigned_on", "updated_at"])

    plan_case = cases["E2E-A2"]
    plan = RepaymentPlan.objects.create(
        case=plan_case,
        loan_id=plan_case.loan_id,
        total=360000,
        down_payment=120000,
        installments=3,
        start_on=today + timedelta(days=30),
        status=PlanStatus.PENDING,
        reason="30 % now, the rest over three months",
        requested_by=users["collector1"],
        made_on=today,
    )
    PlanInstallment.objects.bulk_create(
        [PlanInstallment(plan=plan, number=0, due_on=today + timedelta(days=3), amount=120000)]
        + [
            PlanInstallment(
                plan=plan, number=n, due_on=today + timedelta(days=30 * n), amount=80000
            )
            for n in (1, 2, 3)
        ]
    )
    return World(
        today=today,
        creditor=creditor,
        team_a=team_a,
        team_b=team_b,
        users=users,
        cases=cases,
        pending_plan=plan,
        agency=agency,
    )
