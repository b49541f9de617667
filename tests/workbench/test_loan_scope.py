"""Who may look up which loan (issue 15): the loan page and ``GET /api/v1/loans/{id}`` answer
every role within its scope, the case scope's: a manager, legal officer or auditor their
creditors' whole portfolio, a collector, field agent or team lead the loans of the cases
they see, an administrator everything. Outside the scope the answer is the one a missing loan
gets (404), so a loan's existence does not leak. The home page offers the look-up, and counts
only the person's portfolio.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.portfolio.models import Creditor
from arrears.portfolio.services import tape_ingest
from tests.e2e.world import World, world_build
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db

OTHER_LOAN = "OTHER-1"  # another creditor's loan, with no case at all


@pytest.fixture
def world(db: None, tmp_path: Path) -> World:
    built = world_build(tmp_path)
    other = Creditor.objects.create(name="别家小贷")
    tape_ingest(
        creditor=other, kind="loans", path=write_csv(tmp_path / "o.csv", [loan_row(OTHER_LOAN)])
    )
    return built


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _statuses(client: Client, loan_id: str) -> tuple[int, int]:
    page = client.get("/loans/", {"loan_id": loan_id})
    api = client.get(f"/api/v1/loans/{loan_id}")
    return page.status_code, api.status_code


ALL = ("E2E-A1", "E2E-A2", "E2E-A3", "E2E-B1")
# username -> the loans it may look up (the others, and OTHER-1, answer 404).
VISIBLE: dict[str, set[str]] = {
    "collector1": {"E2E-A1", "E2E-A2", "E2E-A3"},  # own cases and team A's pool
    "collector2": {"E2E-B1"},
    "fieldagent": {"E2E-A3"},  # team A's pool only
    "lead": {"E2E-A1", "E2E-A2", "E2E-A3"},  # team A's cases
    "leadb": {"E2E-B1"},
    "manager": set(ALL),  # the creditor's portfolio
    "legal": set(ALL),
    "auditor": set(ALL),
    "admin": {*ALL, OTHER_LOAN},
}


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_each_role_looks_up_the_loans_of_its_scope_and_no_other(
    world: World, username: str
) -> None:
    client = _client(world.users[username])

    got = {loan_id: _statuses(client, loan_id) for loan_id in (*ALL, OTHER_LOAN)}

    expected = {
        loan_id: (200, 200) if loan_id in VISIBLE[username] else (404, 404)
        for loan_id in (*ALL, OTHER_LOAN)
    }
    assert got == expected


def _same(html: str, loan_id: str) -> str:
    """The page with the loan id asked for and the per-response CSRF tokens taken out."""
    html = re.sub(r'"X-CSRFToken": "\w+"', "", html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", html)
    return html.replace(loan_id, "X")


def test_out_of_scope_reads_exactly_as_missing(world: World) -> None:
    client = _client(world.users["collector1"])

    hidden, missing = client.get("/api/v1/loans/E2E-B1"), client.get("/api/v1/loans/NOPE")
    page_hidden = client.get("/loans/", {"loan_id": "E2E-B1"}).content.decode()
    page_missing = client.get("/loans/", {"loan_id": "NOPE"}).content.decode()

    assert hidden.json() == {"detail": "loan 'E2E-B1' not found"}
    assert missing.json() == {"detail": "loan 'NOPE' not found"}
    assert _same(page_hidden, "E2E-B1") == _same(page_missing, "NOPE")
    assert "Loan E2E-B1 was not found among the loans you may see." in page_hidden


def test_naming_a_creditor_outside_the_scope_is_not_found_either(world: World) -> None:
    client = _client(world.users["manager"])

    outside = client.get(f"/api/v1/loans/{OTHER_LOAN}", {"creditor": "别家小贷"})
    unknown = client.get(f"/api/v1/loans/{OTHER_LOAN}", {"creditor": "nobody"})
    own = client.get("/api/v1/loans/E2E-A1", {"creditor": world.creditor.name})

    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json() == {"detail": f"loan '{OTHER_LOAN}' not found"}
    assert own.status_code == 200


def test_a_manager_given_no_creditor_sees_no_loan(world: World) -> None:
    nobody = User.objects.create_user("new-manager", role=Role.MANAGER)

    assert _statuses(_client(nobody), "E2E-A1") == (404, 404)


def test_the_loan_page_masks_personal_data(world: World) -> None:
    page = _client(world.users["auditor"]).get("/loans/", {"loan_id": "E2E-B1"})

    html = page.content.decode()
    assert page.status_code == 200 and "赵强" in html
    assert "****" in html


@pytest.mark.parametrize("username", ["manager", "legal", "auditor", "admin"])
def test_home_offers_the_loan_look_up_to_those_who_land_there(world: World, username: str) -> None:
    response = _client(world.users[username]).get("/")

    assert response.status_code == 200
    assert 'data-testid="loan-lookup-form"' in response.content.decode()


def test_home_counts_only_the_persons_portfolio(world: World) -> None:
    manager_page = _client(world.users["manager"]).get("/").content.decode()
    admin_page = _client(world.users["admin"]).get("/").content.decode()

    assert "1 creditors · 4 loans · 0 payments" in manager_page
    assert "2 creditors · 5 loans · 0 payments" in admin_page


def test_the_menu_offers_loans_to_every_signed_in_role(world: World) -> None:
    html = _client(world.users["collector1"]).get("/queue/").content.decode()

    assert 'href="/loans/"' in html
