"""The agency pages: placing and recalling from the case page (team lead), the placements
desk with the playbook's pending placements, the commission statement with its Excel
download (manager), and the agency section of the insights page; refusals by role."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from arrears.accounts.models import User
from arrears.agencies.models import Placement
from arrears.agencies.services import placement_create
from arrears.cases.models import WorkItem
from arrears.portfolio.services import payment_post
from tests.agencies.conftest import PLACED, World
from tests.workbench.test_queue import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workbench's business date is the placement day of the tests' world."""
    monkeypatch.setattr("arrears.workbench.views.agencies.business_today", lambda: PLACED)


@pytest.fixture
def manager(world: World) -> User:
    user = User.objects.create_user("manager1", password=PASSWORD, role="manager")
    user.creditors.add(world.creditor)
    return user


def test_a_team_lead_places_a_case_from_its_page(world: World, client: Client) -> None:
    case = world.cases["A1"]
    client.force_login(world.lead)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="agency-place-form"' in page

    response = client.post(f"/cases/{case.pk}/placement/", {"agency": world.agency.pk})

    assert response.status_code == 302
    placement = Placement.objects.get(case=case)
    assert placement.placed_by == world.lead and placement.placed_on == PLACED
    shown = client.get(f"/cases/{case.pk}/").content.decode()
    assert world.agency.name in shown and 'data-testid="agency-recall"' in shown


def test_an_agency_without_a_contract_is_refused_on_the_form(world: World, client: Client) -> None:
    client.force_login(world.lead)

    response = client.post(
        f"/cases/{world.cases['A1'].pk}/placement/", {"agency": world.other_agency.pk}
    )

    assert response.status_code == 400
    assert "has no contract with this creditor" in response.content.decode()
    assert not Placement.objects.exists()


def test_a_collector_may_not_place_and_is_told_who_may(world: World, client: Client) -> None:
    client.force_login(world.collector)

    response = client.post(f"/cases/{world.cases['A1'].pk}/placement/", {"agency": world.agency.pk})

    assert response.status_code == 403
    assert "place cases with agencies" in response.content.decode()
    assert (
        'data-testid="agency-place-form"'
        not in client.get(f"/cases/{world.cases['A1'].pk}/").content.decode()
    )


def test_the_agency_user_sees_the_placement_but_no_buttons(world: World, client: Client) -> None:
    case = world.cases["A1"]
    placement_create(case=case, agency=world.agency, on=PLACED, by=world.lead)
    client.force_login(world.agent)

    page = client.get(f"/cases/{case.pk}/").content.decode()

    assert 'data-testid="agency-placement"' in page
    assert 'data-testid="agency-recall"' not in page
    assert client.get(f"/cases/{case.pk}/placement/recall/").status_code == 403


def test_a_team_lead_recalls_a_case_for_a_breach(world: World, client: Client) -> None:
    case = world.cases["A1"]
    placement_create(case=case, agency=world.agency, on=PLACED, by=world.lead)
    client.force_login(world.lead)

    response = client.post(
        f"/cases/{case.pk}/placement/recall/", {"reason": "breach", "note": "threatened"}
    )

    assert response.status_code == 302
    placement = Placement.objects.get(case=case)
    assert (placement.status, placement.recall_reason, placement.recall_note) == (
        "recalled",
        "breach",
        "threatened",
    )
    assert client.get(f"/cases/{case.pk}/placement/recall/").status_code == 404


def test_the_placements_desk_places_the_playbooks_pending_case(
    world: World, client: Client
) -> None:
    case = world.cases["A2"]
    party_id = case.loan.loan_parties.get(role="borrower").party_id
    task = WorkItem.objects.create(
        case=case,
        loan_id=case.loan_id,
        party_id=party_id,
        planned_action_id=77,
        type="placement",
        queue="agency",
        title="委外催收",
        due_at="2026-03-10T09:00:00+08:00",
    )
    client.force_login(world.lead)
    desk = client.get("/agencies/placements/").content.decode()
    assert "A2" in desk

    client.post(f"/cases/{case.pk}/placement/", {"agency": world.agency.pk, "work_item": task.pk})

    task.refresh_from_db()
    assert task.status == "done"
    assert Placement.objects.get(case=case).work_item_id == task.pk
    desk = client.get("/agencies/placements/").content.decode()
    assert "No case is waiting for placement." in desk


def test_the_manager_reads_the_statement_and_downloads_it(
    world: World, manager: User, client: Client
) -> None:
    case = world.cases["A1"]
    placement_create(case=case, agency=world.agency, on=PLACED, by=world.lead)
    payment_post(
        loan=case.loan, payment_id="P1", amount=123_455, paid_on=date(2026, 3, 15), channel="x"
    )
    client.force_login(manager)

    page = client.get("/agencies/statement/", {"agency": "xinda", "month": "2026-03"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "1,234.55" in text and "123.46" in text  # 12,345.5 fen → 12,346 fen
    download = client.get(
        "/agencies/statement/", {"agency": "xinda", "month": "2026-03", "format": "xlsx"}
    )
    sheet = load_workbook(BytesIO(download.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "A1" and rows[-1][8] == pytest.approx(123.46)


def test_a_bad_month_on_the_statement_page_is_named(
    world: World, manager: User, client: Client
) -> None:
    client.force_login(manager)

    response = client.get("/agencies/statement/", {"agency": "xinda", "month": "2026-13"})

    assert response.status_code == 400
    assert "Write the month as YYYY-MM" in response.content.decode()


def test_only_managers_and_administrators_open_statements(world: World, client: Client) -> None:
    for user in (world.lead, world.agent, world.collector):
        client.force_login(user)
        assert client.get("/agencies/statement/").status_code == 403


def test_the_insights_page_shows_agency_performance(
    world: World, manager: User, client: Client
) -> None:
    case = world.cases["A1"]
    placement_create(case=case, agency=world.agency, on=PLACED, by=world.lead)
    payment_post(
        loan=case.loan, payment_id="P1", amount=100_000, paid_on=date(2026, 3, 15), channel="x"
    )
    client.force_login(manager)

    page = client.get("/insights/", {"month": "2026-03"}).content.decode()

    assert 'data-testid="insights-agencies"' in page
    assert world.agency.name in page and "1,000.00" in page and "100.00" in page


def _queries(client: Client, url: str, params: dict[str, str] | None = None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def test_the_statement_and_the_desk_cost_the_same_queries_for_one_case_or_four(
    world: World, manager: User, client: Client
) -> None:
    statement = ("/agencies/statement/", {"agency": "xinda", "month": "2026-03"})
    placement_create(case=world.cases["A1"], agency=world.agency, on=PLACED, by=None)
    client.force_login(manager)
    one_statement = _queries(client, *statement)
    client.force_login(world.lead)
    one_desk = _queries(client, "/agencies/placements/")

    for loan_id in ("A2", "A3", "A4"):
        placement_create(case=world.cases[loan_id], agency=world.agency, on=PLACED, by=None)
    client.force_login(manager)
    assert _queries(client, *statement) == one_statement
    client.force_login(world.lead)
    assert _queries(client, "/agencies/placements/") == one_desk


def test_an_issued_statement_says_so_and_flags_later_changes(
    world: World, manager: User, client: Client
) -> None:
    from arrears.agencies.services import statement_issue

    case = world.cases["A1"]
    placement_create(case=case, agency=world.agency, on=PLACED, by=world.lead)
    statement_issue(agency=world.agency, month="2026-03", by=None)
    client.force_login(manager)
    url, params = "/agencies/statement/", {"agency": "xinda", "month": "2026-03"}
    page = client.get(url, params).content.decode()
    assert 'data-testid="statement-issued"' in page and "change the figures" not in page

    payment_post(
        loan=case.loan, payment_id="LATE", amount=5_000, paid_on=date(2026, 3, 31), channel="x"
    )

    assert (
        "Payments recorded since change the figures below."
        in client.get(url, params).content.decode()
    )


def test_the_case_page_offers_only_agencies_with_a_contract_in_force(
    world: World, client: Client
) -> None:
    client.force_login(world.lead)

    page = client.get(f"/cases/{world.cases['A1'].pk}/").content.decode()

    assert world.agency.name in page and world.other_agency.name not in page
