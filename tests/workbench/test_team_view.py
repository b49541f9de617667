"""The team view: a lead or manager sees the team's cases by bucket, promises, the day's work
and load per member, and reassigns cases with a reason; nobody else gets in."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from arrears.accounts.choices import Role
from arrears.accounts.models import Team, User
from arrears.cases.models import Activity, CaseAssignment, CollectionCase, Promise
from arrears.core.models import AuditEntry
from arrears.core.money import format_yuan_grouped
from arrears.cycle.runner import cycle_run
from arrears.portfolio.models import Creditor
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db

TEAM_URL = "/team/"


def person(name: str, role: str, team: Team | None = None, **fields: Any) -> User:
    return User.objects.create_user(
        name, password="a-long-unique-pass", role=role, team=team, **fields
    )


def build(creditor: Creditor, tmp_path: Path, *, loans: int, collectors: int) -> dict[str, Any]:
    """A creditor with an M1 team (a lead, ``collectors`` collectors of capacity 3) and an M2
    team, ``loans`` overdue loans assigned by the cycle, and a manager of the creditor."""
    m1 = Team.objects.create(name="M1 team", creditor=creditor, buckets="M1")
    m2 = Team.objects.create(name="M2 team", creditor=creditor, buckets="M2")
    lead = person("lead", Role.TEAM_LEAD, m1)
    members = [person(f"c{n}", Role.COLLECTOR, m1, capacity=3) for n in range(collectors)]
    other = person("z", Role.COLLECTOR, m2)
    manager = person("boss", Role.MANAGER)
    manager.creditors.add(creditor)
    rows = [loan_row(f"T{n:03d}") for n in range(loans)]
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", rows))
    cycle_run(on=date(2026, 3, 1))
    return {"m1": m1, "m2": m2, "lead": lead, "members": members, "other": other, "boss": manager}


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path) -> dict[str, Any]:
    return build(creditor, tmp_path, loans=5, collectors=2)


def promise(case: CollectionCase, by: User, **fields: Any) -> Promise:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "case": case,
        "loan_id": case.loan_id,
        "party_id": 1,
        "amount": 100_000,
        "made_on": today,
        "due_on": today,
        "by": by,
    }
    values.update(fields)
    return Promise.objects.create(**values)


def activity(case: CollectionCase, by: User) -> Activity:
    return Activity.objects.create(
        case=case,
        party_id=1,
        channel="call",
        party_reached="borrower",
        outcome="no_answer",
        by=by,
        at=timezone.now(),
        sha256="0" * 64,
    )


def page(client: Client, user: User, **params: Any) -> str:
    client.force_login(user)
    response = client.get(TEAM_URL, params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_lead_sees_the_teams_cases_by_bucket_and_each_members_load(
    client: Client, world: dict[str, Any]
) -> None:
    c0, c1 = world["members"]

    html = page(client, world["lead"])

    # Five M1 cases, capacity 3 + 3: all placed, 3 and 2.
    assert "M1 team" in html and "<td>M1</td><td>5</td><td>0</td>" in html.replace(
        ' class="text-end"', ""
    )
    assert "3 / 3 (100 %)" in html and "2 / 3 (67 %)" in html
    open_m1 = CollectionCase.objects.filter(team=world["m1"], status="open")
    fen = sum(
        p.overdue_principal + p.overdue_interest + p.overdue_fees + p.overdue_penalty
        for p in (case.loan.position for case in open_m1)
    )
    assert format_yuan_grouped(fen) in html
    assert c0.username in html and c1.username in html and "z</small>" not in html


def test_the_day_shows_promises_due_the_kept_rate_and_work_done_per_member(
    client: Client, world: dict[str, Any]
) -> None:
    c0, c1 = world["members"]
    case = CollectionCase.objects.filter(assignee=c0).first()
    assert case is not None
    today = timezone.localdate()
    promise(case, c0)
    promise(case, c0, amount=50_000, status="kept", resolved_on=today)
    for status in ("kept", "kept", "broken"):
        promise(
            case,
            c1,
            made_on=today - timedelta(days=10),
            due_on=today - timedelta(days=5),
            status=status,
            resolved_on=today - timedelta(days=4),
        )
    promise(
        case,
        c1,
        due_on=today - timedelta(days=40),
        status="broken",
        resolved_on=today - timedelta(days=31),
    )
    for _ in range(3):
        activity(case, c0)

    html = page(client, world["lead"])

    assert "2 promises due today (1,500.00 yuan), 1 kept so far." in html
    # Last 30 days: 3 kept (one today), 1 broken; the one judged 31 days ago is out.
    assert "<strong>75 %</strong>" in html and "3 kept, 1 broken" in html
    assert (
        f"{c0.username})</small></td><td>Collector (催收员)</td>"
        "<td>3</td><td>2</td><td>1,500.00</td>" in html
    )


@pytest.mark.parametrize(
    "role",
    [Role.COLLECTOR, Role.FIELD_AGENT, Role.LEGAL_OFFICER, Role.COMPLIANCE_AUDITOR, Role.ADMIN],
)
def test_people_who_do_not_lead_a_team_are_refused(
    client: Client, world: dict[str, Any], role: str
) -> None:
    client.force_login(person("someone", role, world["m1"]))

    assert client.get(TEAM_URL).status_code == 403
    case = CollectionCase.objects.filter(team=world["m1"]).first()
    assert case is not None
    response = client.post(f"/cases/{case.pk}/reassign/", {"assignee": "", "reason": "x"})
    assert response.status_code == 403


def test_signing_in_comes_first(client: Client, world: dict[str, Any]) -> None:
    assert client.get(TEAM_URL).status_code == 302


def test_a_manager_picks_among_the_teams_of_their_creditors_only(
    client: Client, world: dict[str, Any]
) -> None:
    foreign = Team.objects.create(
        name="Elsewhere", creditor=Creditor.objects.create(name="别家"), buckets="M1"
    )

    html = page(client, world["boss"], team=world["m2"].pk)

    assert 'name="team"' in html and "Elsewhere" not in html
    assert f'<option value="{world["m2"].pk}" selected>' in html
    assert client.get(TEAM_URL, {"team": foreign.pk}).status_code == 404


def test_a_lead_reassigns_a_case_by_loan_id_with_a_reason(
    client: Client, world: dict[str, Any]
) -> None:
    c0, c1 = world["members"]
    case = CollectionCase.objects.filter(assignee=c0).select_related("loan").first()
    assert case is not None
    client.force_login(world["lead"])

    response = client.post(
        TEAM_URL,
        {"case": case.loan.loan_id, "assignee": c1.pk, "reason": "speaks the dialect"},
        follow=True,
    )

    assert response.status_code == 200
    assert f"Case {case.pk} given to {c1.username}." in response.content.decode()
    case.refresh_from_db()
    assert (case.assignee_id, case.assigned_on) == (c1.pk, timezone.localdate())
    history = CaseAssignment.objects.filter(case=case).latest("id")
    assert (history.rule, history.reason, history.by_id, history.previous_assignee_id) == (
        "manual",
        "speaks the dialect",
        world["lead"].pk,
        c0.pk,
    )
    audit = AuditEntry.objects.get(action="case.reassign")
    assert audit.subject_id == str(case.pk) and audit.data["to"] == c1.pk


def test_a_reassignment_without_a_reason_says_so_and_changes_nothing(
    client: Client, world: dict[str, Any]
) -> None:
    c0, c1 = world["members"]
    case = CollectionCase.objects.filter(assignee=c0).first()
    assert case is not None
    client.force_login(world["lead"])

    response = client.post(TEAM_URL, {"case": str(case.pk), "assignee": c1.pk, "reason": " "})

    assert response.status_code == 400
    assert "say why the case is reassigned" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee_id == c0.pk and not AuditEntry.objects.exists()


def test_a_case_goes_back_to_the_team_pool(client: Client, world: dict[str, Any]) -> None:
    c0 = world["members"][0]
    case = CollectionCase.objects.filter(assignee=c0).first()
    assert case is not None
    client.force_login(world["lead"])

    response = client.post(
        f"/cases/{case.pk}/reassign/",
        {"assignee": "", "reason": "on leave", "next": f"/cases/{case.pk}/"},
    )

    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert (case.assignee_id, case.team_id) == (None, world["m1"].pk)
    assert CaseAssignment.objects.filter(case=case).latest("id").rule == "released"


def test_a_lead_cannot_touch_another_teams_case_nor_give_one_outside_the_team(
    client: Client, world: dict[str, Any]
) -> None:
    CollectionCase.objects.filter(pk=CollectionCase.objects.order_by("id")[0].pk).update(
        team=world["m2"], assignee=world["other"]
    )
    theirs = CollectionCase.objects.get(team=world["m2"])
    ours = CollectionCase.objects.filter(team=world["m1"]).first()
    assert ours is not None
    client.force_login(world["lead"])

    by_url = client.post(f"/cases/{theirs.pk}/reassign/", {"assignee": "", "reason": "x"})
    by_form = client.post(TEAM_URL, {"case": str(theirs.pk), "assignee": "", "reason": "x"})
    outside = client.post(
        f"/cases/{ours.pk}/reassign/", {"assignee": world["other"].pk, "reason": "x"}
    )

    assert by_url.status_code == 404
    assert by_form.status_code == 400
    assert f"no open case {theirs.pk} among your cases" in by_form.content.decode()
    assert outside.status_code == 400
    assert client.get(f"/cases/{ours.pk}/reassign/").status_code == 405
    assert not CaseAssignment.objects.filter(rule="manual").exists()


def test_a_manager_may_lend_a_case_to_another_of_their_teams(
    client: Client, world: dict[str, Any]
) -> None:
    case = CollectionCase.objects.filter(team=world["m1"]).first()
    assert case is not None
    client.force_login(world["boss"])

    response = client.post(
        f"/cases/{case.pk}/reassign/", {"assignee": world["other"].pk, "reason": "field visit"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.assignee_id, case.team_id) == (world["other"].pk, world["m1"].pk)


@pytest.mark.parametrize(("loans", "collectors"), [(4, 2), (40, 12)])
def test_the_team_page_costs_the_same_queries_however_many_cases_and_members(
    client: Client,
    creditor: Creditor,
    tmp_path: Path,
    django_assert_max_num_queries: Any,
    loans: int,
    collectors: int,
) -> None:
    world = build(creditor, tmp_path, loans=loans, collectors=collectors)
    for case in CollectionCase.objects.filter(assignee__isnull=False).select_related("assignee"):
        assert case.assignee is not None
        promise(case, case.assignee)
        activity(case, case.assignee)
    client.force_login(world["boss"])

    with django_assert_max_num_queries(12):
        response = client.get(TEAM_URL, {"team": world["m1"].pk})

    assert response.status_code == 200
