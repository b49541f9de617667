"""Scoping follows an assignment: once a loan is sold, the old creditor's collectors, team
leads and managers get 404 for its case and its loan (workbench and API), as for a loan
that does not exist; the new creditor's managers see it."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.cases.models import CollectionCase
from arrears.portfolio.models import Creditor
from tests.e2e.world import World, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None, tmp_path: Path) -> World:
    return world_build(tmp_path)


def _seen(user: User, case: CollectionCase) -> dict[str, int]:
    client = Client()
    client.force_login(user)
    return {
        "case page": client.get(f"/cases/{case.pk}/").status_code,
        "case api": client.get(f"/api/v1/cases/{case.pk}").status_code,
        "loan page": client.get("/loans/", {"loan_id": case.loan.loan_id}).status_code,
        "loan api": client.get(f"/api/v1/loans/{case.loan.loan_id}").status_code,
    }


def test_the_old_creditors_staff_get_404_after_the_sale_and_the_buyers_manager_sees_it(
    world: World,
) -> None:
    case = world.cases["E2E-A1"]
    old_staff = [world.users[name] for name in ("collector1", "lead", "manager")]
    before = [_seen(user, case) for user in old_staff]

    call_command(
        "assign", "--loan", "E2E-A1", "--to", "资产管理公司", "--on", str(world.today),
        stdout=StringIO(),
    )  # fmt: skip
    buyer_manager = User.objects.create_user("buyer", password="x-long-pass-2", role=Role.MANAGER)
    buyer_manager.creditors.add(Creditor.objects.get(name="资产管理公司"))

    ok = {"case page": 200, "case api": 200, "loan page": 200, "loan api": 200}
    gone = {"case page": 404, "case api": 404, "loan page": 404, "loan api": 404}
    assert before == [ok, ok, ok]
    assert [_seen(user, case) for user in old_staff] == [gone, gone, gone]
    assert _seen(buyer_manager, case) == ok
    # The loans not sold stay where they were.
    assert _seen(world.users["collector1"], world.cases["E2E-A2"]) == ok
