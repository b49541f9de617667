"""Administrators configure people, teams and the authority matrix; the audit log is read-only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from arrears.accounts.models import User
from arrears.core.audit import audit_record
from arrears.core.models import AuditEntry
from arrears.portfolio.models import Creditor
from tests.factories import loan_row
from tests.workbench.test_queue import build_cases

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(
        User.objects.create_superuser("root", password="a-long-unique-pass", role="admin")
    )
    return client


def test_the_admin_shows_each_users_role_team_and_capacity(admin_client: Client) -> None:
    User.objects.create_user("collector9", role="collector", capacity=77)

    page = admin_client.get("/admin/accounts/user/").content.decode()
    change = admin_client.get(
        f"/admin/accounts/user/{User.objects.get(username='collector9').pk}/change/"
    )

    assert "collector9" in page and "77" in page
    assert change.status_code == 200 and 'name="capacity"' in change.content.decode()


def test_teams_and_the_authority_matrix_can_be_edited(admin_client: Client) -> None:
    assert admin_client.get("/admin/accounts/team/add/").status_code == 200
    assert admin_client.get("/admin/cases/authoritylimit/").status_code == 200


def test_the_audit_log_can_be_read_but_not_added_to_or_changed(admin_client: Client) -> None:
    entry = audit_record(actor=None, action="hold.place", subject_type="case", subject_id=5)

    assert "hold.place" in admin_client.get("/admin/core/auditentry/").content.decode()
    assert admin_client.get("/admin/core/auditentry/add/").status_code == 403
    change = admin_client.post(f"/admin/core/auditentry/{entry.pk}/change/", {"action": "nothing"})
    assert change.status_code == 403


def test_a_user_added_with_a_role_is_on_the_audit_chain_without_the_password(
    admin_client: Client,
) -> None:
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "manager9",
            "usable_password": "true",
            "password1": "Correct-Horse-Battery-9",
            "password2": "Correct-Horse-Battery-9",
            "role": "manager",
            "capacity": "10",
        },
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin.add", subject_type="accounts.user")
    assert entry.data["after"]["role"] == "manager"
    assert entry.data["after"]["password1"] == "(hidden)"
    assert "Correct-Horse-Battery-9" not in json.dumps(entry.data)


def test_a_cases_admin_page_shows_its_columns_and_not_the_queues_join_path(
    admin_client: Client, creditor: Creditor, tmp_path: Path
) -> None:
    # CollectionCase.position joins the case to its loan's position for the queue; shown
    # as a read-only field, it cost the page a query and an untranslated label.
    case = next(iter(build_cases(creditor, tmp_path, [loan_row("ADM1")]).values()))

    with CaptureQueriesContext(connection) as captured:
        page = admin_client.get(f"/admin/cases/collectioncase/{case.pk}/change/")

    assert page.status_code == 200 and "ADM1" in page.content.decode()
    assert 'class="form-row field-current_dpd"' in page.content.decode()
    assert not any("cycle_loanposition" in q["sql"] for q in captured.captured_queries)
