"""The blacklist: proposed, listed by someone else, shown on the case page, exported with
ID numbers masked (revealed only to a role that may, audited), delisted with a reason; the
history is kept."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from arrears.accounts.models import User
from arrears.cases.blacklist_services import (
    blacklist_decide,
    blacklist_delist,
    blacklist_export,
    blacklist_propose,
)
from arrears.core.errors import Forbidden, InvalidInput
from arrears.core.models import AuditEntry
from arrears.portfolio.models import BlacklistEntry, Creditor, LoanParty, Party
from tests.closing.world import Closing, closing_world, cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path) -> Closing:
    world = closing_world(creditor, tmp_path, {"B1": {}})
    cycle("--date", "2026-03-01")
    return world


def _borrower(world: Closing) -> Party:
    return LoanParty.objects.get(loan=world.loan("B1"), role="borrower").party


def test_listing_needs_another_person_shows_on_the_case_and_delisting_is_audited(
    world: Closing,
) -> None:
    party = _borrower(world)
    entry = blacklist_propose(party=party, by=world.lead, reason="fraudulent application")
    with pytest.raises(InvalidInput, match="already proposed"):
        blacklist_propose(party=party, by=world.manager, reason="again")
    with pytest.raises(Forbidden):
        blacklist_decide(entry=entry, by=world.lead, approve=True)
    with pytest.raises(Forbidden, match="someone else"):
        own = blacklist_propose  # a manager's own proposal is decided by another manager
        other = own(
            party=Party.objects.create(creditor=world.creditor, name="李四"),
            by=world.manager,
            reason="x",
        )
        blacklist_decide(entry=other, by=world.manager, approve=True)

    blacklist_decide(entry=entry, by=world.manager, approve=True, note="confirmed")

    client = Client()
    client.force_login(world.manager)
    page = client.get(f"/cases/{world.case('B1').pk}/").content.decode()
    assert 'data-testid="blacklisted" data-status="listed"' in page
    assert "fraudulent application" in page

    with pytest.raises(InvalidInput, match="say why"):
        blacklist_delist(entry=entry, by=world.manager, reason="")
    blacklist_delist(entry=entry, by=world.manager2, reason="court found identity theft")
    again = blacklist_propose(party=party, by=world.lead, reason="new default")

    history = list(BlacklistEntry.objects.filter(party=party).order_by("id"))
    assert [e.status for e in history] == ["delisted", "pending"] and history[1] == again
    actions = list(
        AuditEntry.objects.filter(subject_type="blacklist")
        .exclude(subject_id=str(other.pk))
        .order_by("number")
        .values_list("action", flat=True)
    )
    assert actions == [
        "blacklist.propose",
        "blacklist.list",
        "blacklist.delist",
        "blacklist.propose",
    ]


def test_the_export_masks_id_numbers_unless_the_exporter_may_reveal_them(
    world: Closing,
) -> None:
    party = _borrower(world)
    entry = blacklist_propose(party=party, by=world.lead, reason="wilful default")
    blacklist_decide(entry=entry, by=world.manager, approve=True)
    auditor = User.objects.create_user("auditor", role="compliance_auditor")
    auditor.creditors.add(world.creditor)
    admin = User.objects.create_user("admin", role="admin")

    masked = blacklist_export(by=admin)
    assert masked[0]["id_number"] != party.id_number and "*" in masked[0]["id_number"]
    assert masked[0]["id_number"][-4:] == party.id_number[-4:]
    with pytest.raises(Forbidden):
        blacklist_export(by=admin, reveal=True)  # an administrator may not reveal IDs
    with pytest.raises(Forbidden):
        blacklist_export(by=world.lead)
    assert blacklist_export(by=auditor, reveal=True)[0]["id_number"] == party.id_number
    revealed = AuditEntry.objects.get(action="blacklist.export_revealed")
    assert revealed.data["parties"] == [party.pk]

    out = StringIO()
    call_command("blacklist", "export", "--by", "manager", "--json", stdout=out)
    assert json.loads(out.getvalue())["parties"][0]["id_number"] == masked[0]["id_number"]
    with pytest.raises(CommandError) as refused:
        call_command("blacklist", "export", "--by", "lead", stdout=StringIO())
    assert refused.value.returncode == 2

    client = Client()
    client.force_login(world.manager)
    response = client.get("/blacklist/export.csv")
    rows = list(csv.DictReader(StringIO(response.content.decode("utf-8-sig"))))
    assert response.status_code == 200
    assert [(r["party"], r["id_number"]) for r in rows] == [(party.name, masked[0]["id_number"])]
    assert client.get("/blacklist/").status_code == 200
    client.force_login(world.collector)
    assert client.get("/blacklist/").status_code == 403
    assert client.get("/blacklist/export.csv").status_code == 403
