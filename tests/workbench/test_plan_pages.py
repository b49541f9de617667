"""The plan, settlement and approvals pages: quote without saving, request, decide; role
and scope checks; bad input shown next to its field."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from arrears.accounts.models import Team, User
from arrears.cases.models import CollectionCase, RepaymentPlan, Settlement
from arrears.cases.plan_services import plan_request
from arrears.cases.settlement_services import settlement_request
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.services import tape_ingest
from arrears.workbench.selectors.case_page import case_page
from tests.cases.test_plans import World, make_world
from tests.factories import loan_row, write_csv


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path) -> World:
    return make_world(creditor, tmp_path, loan_id="G1")


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def plan_form(**extra: str) -> dict[str, str]:
    form = {
        "total": "10,000.00",
        "down_payment": "30%",
        "installments": "6",
        "start_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "tolerance_days": "3",
        "reason": "cash-flow shortage",
    }
    form.update(extra)
    return form


@pytest.mark.django_db
def test_the_quote_calculator_opens_with_the_overdue_amount_and_quotes_without_saving(
    world: World,
) -> None:
    client = as_user(world.collector)
    url = f"/cases/{world.case.pk}/plans/new/"

    page = client.get(url)
    quoted = client.post(url, {**plan_form(), "quote": "1"})

    assert page.status_code == 200
    assert page.context["overdue"] in page.content.decode()
    assert quoted.status_code == 200
    body = quoted.content.decode()
    assert "3,000.00" in body and "1,166.67" in body and "1,166.65" in body
    assert not RepaymentPlan.objects.exists()


@pytest.mark.django_db
def test_requesting_a_plan_from_the_page_saves_it(world: World) -> None:
    response = as_user(world.collector).post(
        f"/cases/{world.case.pk}/plans/new/", {**plan_form(down_payment="1234.5"), "request": "1"}
    )

    assert response.status_code == 302
    plan = RepaymentPlan.objects.get()
    assert plan.status == "active" and plan.down_payment == 1_234_50


@pytest.mark.django_db
def test_the_case_page_shows_the_playbook_paused_while_the_plan_is_active(world: World) -> None:
    def paused() -> bool:
        return case_page(
            user=world.collector, case_id=world.case.pk, on=timezone.localdate(), now=timezone.now()
        ).paused

    assert not paused()

    as_user(world.collector).post(
        f"/cases/{world.case.pk}/plans/new/", {**plan_form(), "request": "1"}
    )

    assert RepaymentPlan.objects.get().status == "active"
    assert paused()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("total", "ten thousand", "amount in yuan"),
        ("down_payment", "lots", "percentage"),
        ("down_payment", "20,000", "more than the amount"),
        ("installments", "0", ""),
        ("start_on", "2000-01-01", "before today"),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_shown_next_to_its_field_and_saves_nothing(
    world: World, field: str, value: str, words: str
) -> None:
    response = as_user(world.collector).post(
        f"/cases/{world.case.pk}/plans/new/", {**plan_form(**{field: value}), "request": "1"}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field])
    assert not RepaymentPlan.objects.exists()


@pytest.mark.django_db
def test_a_case_outside_the_collectors_scope_is_not_found(world: World, creditor: Creditor) -> None:
    other_team = Team.objects.create(name="M2 组", creditor=creditor, buckets="M2")
    stranger = User.objects.create_user("collector2", role="collector", team=other_team)
    client = as_user(stranger)

    assert client.get(f"/cases/{world.case.pk}/plans/new/").status_code == 404
    assert client.get(f"/cases/{world.case.pk}/settlements/new/").status_code == 404


@pytest.mark.django_db
def test_roles_without_the_capability_are_refused(world: World) -> None:
    auditor = User.objects.create_user("auditor", role="compliance_auditor")

    assert as_user(auditor).get(f"/cases/{world.case.pk}/plans/new/").status_code == 403
    assert as_user(world.collector).get("/approvals/").status_code == 403


@pytest.mark.django_db
def test_a_settlement_from_the_page_shows_what_is_owed_and_refuses_too_much(
    world: World,
) -> None:
    client = as_user(world.collector)
    url = f"/cases/{world.case.pk}/settlements/new/"

    page = client.get(url)
    too_much = client.post(url, {"waive_penalty": "999,999", "reason": "hardship"})

    assert page.status_code == 200
    assert too_much.status_code == 200
    assert "waive_penalty" in too_much.context["form"].errors
    assert not Settlement.objects.exists()


def pending(world: World, n: int, tag: str) -> None:
    """``n`` pending plans on ``n`` new cases of the world's team, and one settlement."""
    today = timezone.localdate()
    ids = [f"{tag}{index}" for index in range(n)]
    tape_ingest(
        creditor=world.case.creditor,
        kind="loans",
        path=write_csv(world.folder / f"{tag}.csv", [loan_row(loan_id) for loan_id in ids]),
    )
    for loan in Loan.objects.filter(loan_id__in=ids):
        case = CollectionCase.objects.create(
            loan=loan,
            creditor=loan.creditor,
            opened_on=today,
            entry_dpd=1,
            entry_amount=1,
            current_dpd=1,
            bucket="M1",
            worst_dpd=1,
            updated_on=today,
            team=world.team,
        )
        plan_request(
            case=case,
            by=world.collector,
            total=30_000_00,
            down_payment=0,
            installments=10,
            start_on=today,
            on=today,
            reason=f"plan {loan.loan_id}",
        )
    settlement_request(
        case=world.case, by=world.collector, waive_interest=1_000_00, reason="asks", on=today
    )


@pytest.mark.django_db
def test_the_approvals_list_shows_what_the_lead_may_decide_in_constant_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    pending(world, 1, "A")
    client = as_user(world.lead)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        few = client.get("/approvals/")
    pending_more = 4
    pending(world, pending_more, "B")
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        many = client.get("/approvals/")

    assert len(few.context["rows"]) == 2
    assert len(many.context["rows"]) == 2 + pending_more + 1


@pytest.mark.django_db
def test_a_team_lead_approves_a_plan_from_the_approvals_list(world: World) -> None:
    plan = plan_request(
        case=world.case,
        by=world.collector,
        total=50_000_00,
        down_payment=0,
        installments=10,
        start_on=timezone.localdate(),
        on=timezone.localdate(),
        reason="big",
    )
    client = as_user(world.lead)

    response = client.post(f"/plans/{plan.pk}/decide/", {"decision": "approve", "note": "ok"})

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "active"


@pytest.mark.django_db
def test_a_collector_cannot_approve_by_url_and_a_lead_cannot_exceed_their_authority(
    world: World,
) -> None:
    today = timezone.localdate()
    settlement = settlement_request(
        case=world.case, by=world.collector, waive_principal=100_00, reason="x", on=today
    )

    by_collector = as_user(world.collector).post(
        f"/settlements/{settlement.pk}/decide/", {"decision": "approve"}
    )
    by_lead = as_user(world.lead).post(
        f"/settlements/{settlement.pk}/decide/", {"decision": "approve"}
    )
    by_manager = as_user(world.manager).post(
        f"/settlements/{settlement.pk}/decide/", {"decision": "approve", "note": "fine"}
    )

    assert (by_collector.status_code, by_lead.status_code, by_manager.status_code) == (
        403,
        403,
        302,
    )
    settlement.refresh_from_db()
    assert settlement.status == "approved"
