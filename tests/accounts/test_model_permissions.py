"""Django model permissions (the admin's, the cycle page's) are read in one query, and
still come both from the person's own grants and from their groups'."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from arrears.accounts.choices import Role
from arrears.accounts.models import User

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    """The person as a new request loads them: no permissions cached yet."""
    return User.objects.get(pk=user.pk)


def test_own_and_group_grants_count_and_are_read_in_one_query() -> None:
    view = Permission.objects.get(codename="view_cyclerun")
    change = Permission.objects.get(codename="change_cyclerun")
    ops = Group.objects.create(name="operations")
    ops.permissions.add(change)
    user = User.objects.create_user("lead", password="x" * 20, role=Role.TEAM_LEAD)

    assert not fresh(user).has_perm("cycle.view_cyclerun")
    user.user_permissions.add(view)
    user.groups.add(ops)
    reader = fresh(user)
    with CaptureQueriesContext(connection) as queries:
        assert reader.has_perm("cycle.view_cyclerun")  # granted to the person
        assert reader.has_perm("cycle.change_cyclerun")  # granted to their group
        assert not reader.has_perm("cycle.delete_cyclerun")
    assert len(queries) == 1
    assert reader.get_all_permissions() == {"cycle.view_cyclerun", "cycle.change_cyclerun"}


def test_superusers_hold_every_permission_and_inactive_people_none() -> None:
    root = User.objects.create_superuser("root", password="x" * 20)
    assert fresh(root).has_perm("cycle.delete_cyclerun")
    gone = User.objects.create_user("gone", password="x" * 20, role=Role.COLLECTOR)
    gone.user_permissions.add(Permission.objects.get(codename="view_cyclerun"))
    gone.is_active = False
    gone.save()
    assert not fresh(gone).has_perm("cycle.view_cyclerun")


def test_the_cycle_page_link_follows_the_grant() -> None:
    user = User.objects.create_user("lead", password="x" * 20, role=Role.TEAM_LEAD)
    client = Client()
    client.force_login(user)
    assert 'href="/cycle/"' not in client.get("/queue/").content.decode()
    user.user_permissions.add(Permission.objects.get(codename="view_cyclerun"))
    assert 'href="/cycle/"' in client.get("/queue/").content.decode()
    assert client.get("/cycle/").status_code == 200
