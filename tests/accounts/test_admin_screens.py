"""Administrators configure people, teams and the authority matrix; the audit log is read-only."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from arrears.accounts.models import User
from arrears.core.audit import audit_record
from arrears.core.models import AuditEntry

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
