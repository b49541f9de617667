"""The insights pages (/insights/): a manager sees the figures of their creditors only, a
team lead those of their team's creditor and their own team's league, an administrator
everything, everybody else the refusal page; every table downloads as an Excel workbook
that holds what the page shows; the page speaks English and Chinese.

The world: two creditors, 甲 with four loans (one of them pays in January) and 乙 with two,
all disbursed on 2025-09-15 and closed by the daily cycle on four month ends (2025-10-31 …
2026-01-31), so the insights app has stored history to read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook
from pytest_django import DjangoDbBlocker

from arrears.accounts.choices import Role
from arrears.accounts.models import Team, User
from arrears.cycle.runner import cycle_run
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.services import payment_post, tape_ingest
from arrears.strategy.models import Experiment, Playbook
from tests.factories import loan_row, write_csv
from tests.workbench.test_every_word import english_words, visible_text

pytestmark = pytest.mark.django_db

PASSWORD = "insights-Arrears-2026"
MONTH_ENDS = [date(2025, 10, 31), date(2025, 11, 30), date(2025, 12, 31), date(2026, 1, 31)]
LOANS = {"甲": ["JA-1", "JA-2", "JA-3", "JA-PAY"], "乙": ["YB-1", "YB-2"]}
# username -> (role, team key or None)
PEOPLE = {
    "boss": (Role.MANAGER, None),
    "leada": (Role.TEAM_LEAD, "甲"),
    "leadb": (Role.TEAM_LEAD, "乙"),
    "@ca": (Role.COLLECTOR, "甲"),  # a name Excel would read as a formula
    "cb": (Role.COLLECTOR, "乙"),
    "root": (Role.ADMIN, None),
}


@dataclass
class InsightsWorld:
    """Handles the tests look up: people by username, creditors and teams by key."""

    users: dict[str, User]
    creditors: dict[str, Creditor]
    teams: dict[str, Team]


def insights_world(tmp_path: Path) -> InsightsWorld:
    """Build the two-creditor world with four closed month ends (see the module doc)."""
    creditors = {key: Creditor.objects.create(name=f"{key}小贷") for key in LOANS}
    teams = {
        key: Team.objects.create(name=f"{key}组", creditor=creditor, buckets="M1,M2,M3,M4,M5,M6,M7")
        for key, creditor in creditors.items()
    }
    users = {}
    for username, (role, team) in PEOPLE.items():
        users[username] = User.objects.create_user(
            username,
            password=PASSWORD,
            role=role,
            team=teams[team] if team else None,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
    users["boss"].creditors.add(creditors["甲"])
    Experiment.objects.create(
        name="card-style",
        champion=Playbook.objects.get(name="consumer-loan"),
        challenger=Playbook.objects.get(name="credit-card"),
        challenger_percent=50,
    )
    for key, loan_ids in LOANS.items():
        principal = "12,000.00" if key == "甲" else "50,000.00"
        rows = [loan_row(i, principal=principal, disbursed_on="2025-09-15") for i in loan_ids]
        tape = write_csv(tmp_path / f"{loan_ids[0]}.csv", rows)
        tape_ingest(creditor=creditors[key], kind="loans", path=tape)
    for month_end in MONTH_ENDS:
        if month_end.month == 1:
            payment_post(
                loan=Loan.objects.get(loan_id="JA-PAY"),
                payment_id="PAY-1",
                amount=5_000_00,
                paid_on=date(2026, 1, 10),
                channel="bank",
            )
        cycle_run(on=month_end)
    return InsightsWorld(users=users, creditors=creditors, teams=teams)


@pytest.fixture(scope="module")
def world(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[InsightsWorld]:
    """The world, built once for the module inside a transaction rolled back at the end;
    each test runs in a savepoint within it (as tests/test_permission_matrix.py does)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield insights_world(tmp_path_factory.mktemp("insights"))
        transaction.set_rollback(True)


def signed_in(world: InsightsWorld, username: str) -> Client:
    client = Client()
    client.force_login(world.users[username])
    return client


def table_rows(page: str, slug: str) -> list[list[str]]:
    """The body rows of the table ``slug`` as the page shows them."""
    found = re.search(rf'data-testid="table-{slug}">(.*?)</table>', page, re.S)
    assert found, f"no table {slug}"
    body = found.group(1).split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def aging(client: Client) -> dict[str, tuple[int, str]]:
    response = client.get("/insights/?month=2026-01")
    assert response.status_code == 200
    rows = table_rows(response.content.decode(), "aging")
    return {bucket: (int(loans), principal) for bucket, loans, principal in rows}


def test_a_manager_sees_only_their_creditors_loans(world: InsightsWorld) -> None:
    mine = aging(signed_in(world, "boss"))
    everything = aging(signed_in(world, "root"))

    # 甲's three unpaid 12,000-yuan loans sit in M4 on 2026-01-31 (108 days past the first
    # due date); 乙's two 50,000-yuan loans join them for the administrator only.
    assert mine["M4"] == (3, "36,000.00")
    assert everything["M4"] == (5, "136,000.00")
    assert sum(loans for loans, _ in mine.values()) == len(LOANS["甲"])
    assert sum(loans for loans, _ in everything.values()) == len(LOANS["甲"]) + len(LOANS["乙"])


def test_a_team_lead_sees_their_team_s_creditor_and_their_own_team_in_the_league(
    world: InsightsWorld,
) -> None:
    page = signed_in(world, "leadb").get("/insights/?month=2026-01").content.decode()

    assert aging(signed_in(world, "leadb"))["M4"] == (2, "100,000.00")
    assert [row[0] for row in table_rows(page, "teams")] == ["乙组"]
    assert "甲组" not in visible_text(page) and "@ca" not in visible_text(page)
    # 甲's lead sees 甲's January collection credited to its collector.
    theirs = signed_in(world, "leada").get("/insights/?month=2026-01").content.decode()
    assert ["@ca", "甲组", "0", "0", "5,000.00"] in table_rows(theirs, "collectors")


def test_a_manager_of_no_portfolio_sees_no_figures(world: InsightsWorld) -> None:
    nobody = User.objects.create_user("idle", password=PASSWORD, role=Role.MANAGER)
    client = Client()
    client.force_login(nobody)

    page = client.get("/insights/?month=2026-01").content.decode()

    assert 'data-testid="insights-no-scope"' in page
    assert 'data-testid="table-aging"' not in page
    assert client.get("/insights/aging.xlsx?month=2026-01").status_code == 404


@pytest.mark.parametrize("username", ["@ca", "cb"])
def test_a_collector_is_refused_with_the_reason(world: InsightsWorld, username: str) -> None:
    response = signed_in(world, username).get("/insights/")

    assert response.status_code == 403
    reason = re.search(r'data-testid="error-reason">([^<]*)<', response.content.decode())
    assert reason and "insights" in reason.group(1)
    assert signed_in(world, username).get("/insights/aging.xlsx").status_code == 403


def test_the_menu_offers_the_insights_to_those_who_may_open_them(world: InsightsWorld) -> None:
    for username, shown in [("boss", True), ("leada", True), ("root", True), ("@ca", False)]:
        home = signed_in(world, username).get("/", follow=True).content.decode()
        assert ('data-testid="nav-insights"' in home) is shown, username


@pytest.mark.parametrize("slug", ["aging", "roll-rates", "vintages", "collectors"])
def test_each_table_downloads_as_a_workbook_holding_the_table(
    world: InsightsWorld, slug: str
) -> None:
    client = signed_in(world, "root")
    shown = table_rows(client.get("/insights/?month=2026-01").content.decode(), slug)

    response = client.get(f"/insights/{slug}.xlsx?month=2026-01")

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'insights-{slug}-2026-01.xlsx"')
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[0] in {"Bucket", "Month", "Vintage", "Collector"}
    assert len(rows) == len([row for row in shown if len(row) > 1])
    assert [str(row[0]) for row in rows] == [row[0] for row in shown if len(row) > 1]


def test_the_page_s_own_address_downloads_a_table_too(world: InsightsWorld) -> None:
    response = signed_in(world, "boss").get("/insights/?format=xlsx&table=aging&month=2026-01")

    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    assert ("M4", 3, 36000) in list(sheet.iter_rows(values_only=True))


def test_a_name_that_looks_like_a_formula_stays_text_in_the_workbook(
    world: InsightsWorld,
) -> None:
    response = signed_in(world, "root").get("/insights/collectors.xlsx?month=2026-01")

    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    name, _team, _contacts, _promises, collected = next(sheet.iter_rows(min_row=2))
    assert (name.value, name.data_type) == ("@ca", "s")
    assert collected.value == 5000 and collected.number_format == "#,##0.00"


def test_a_month_without_a_stored_month_end_is_explained_not_a_failure(
    world: InsightsWorld,
) -> None:
    client = signed_in(world, "boss")

    response = client.get("/insights/?month=2024-01")

    assert response.status_code == 200
    assert 'data-testid="insights-error"' in response.content.decode()
    download = client.get("/insights/aging.xlsx?month=2024-01")
    assert download.status_code == 404
    assert 'data-testid="insights-problem"' in download.content.decode()


@pytest.mark.parametrize("month", ["2026-13", "January", "1800-01"])
def test_a_month_written_wrong_is_refused_in_words(world: InsightsWorld, month: str) -> None:
    response = signed_in(world, "boss").get(f"/insights/?month={month}")

    assert response.status_code == 400
    assert 'data-testid="insights-problem"' in response.content.decode()


def test_the_page_speaks_english_and_chinese(world: InsightsWorld, settings: Any) -> None:
    client = signed_in(world, "boss")
    english = client.get("/insights/?month=2026-01").content.decode()
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        chinese = client.get("/insights/?month=2026-01").content.decode()

    assert "Aging at the month end" in english and "Roll rates" in english
    assert "账龄分布" in chinese and "迁徙率" in chinese and "经营分析" in chinese
    # Names people and experiments were given are data, not the interface.
    names = {"boss", "leada", "leadb", "ca", "cb", "root", "card", "style"}
    assert english_words(visible_text(chinese)) - names == set()
