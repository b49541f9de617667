"""Phones and ID numbers are masked by default; revealing one is audited; a role without
the capability is refused (403)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from arrears.accounts.models import User
from arrears.cases.models import CollectionCase
from arrears.cases.reveal_services import contact_point_reveal, id_number_reveal
from arrears.core.errors import NotFound
from arrears.core.models import AuditEntry
from arrears.core.phones import national
from arrears.portfolio.models import Creditor, Party
from tests.factories import loan_row
from tests.workbench.test_queue import PASSWORD, assign, build_cases, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(creditor: Creditor, tmp_path: Path) -> tuple[CollectionCase, User, Party, Party]:
    cases = build_cases(
        creditor,
        tmp_path,
        [loan_row("R1", borrower_name="张三"), loan_row("R2", borrower_name="外人")],
    )
    team, me, _other = people(creditor)
    assign(cases["R1"], team, me)
    return cases["R1"], me, Party.objects.get(name="张三"), Party.objects.get(name="外人")


def test_the_page_shows_phone_and_id_number_masked(
    setup: tuple[CollectionCase, User, Party, Party], client: Client
) -> None:
    case, me, party, _stranger = setup
    client.force_login(me)

    html = client.get(f"/cases/{case.pk}/").content.decode()

    phone = party.contact_points.get(kind="phone").value
    assert phone not in html and party.id_number not in html
    mobile = phone.removeprefix("+86")  # stored in E.164, shown as the 11 national digits
    assert mobile[:3] + "****" + mobile[-4:] in html


def test_revealing_a_phone_shows_it_and_is_audited(
    setup: tuple[CollectionCase, User, Party, Party], client: Client
) -> None:
    case, me, party, _stranger = setup
    point = party.contact_points.get(kind="phone")
    client.force_login(me)

    fragment = client.post(
        f"/cases/{case.pk}/reveal/",
        {"kind": "phone", "contact_point": point.pk},
        headers={"HX-Request": "true"},
    )
    page = client.post(f"/cases/{case.pk}/reveal/", {"kind": "phone", "contact_point": point.pk})

    # Stored as +86…, read out as the collector dials it: 139 6898 1230.
    shown = national(point.value)
    assert point.value.startswith("+86") and shown[:3] == point.value[3:6] and " " in shown
    assert fragment.status_code == 200 and shown in fragment.content.decode()
    assert 'data-testid="revealed"' in page.content.decode() and shown in page.content.decode()
    entries = AuditEntry.objects.filter(action="reveal.phone", subject_id=str(point.pk))
    assert entries.count() == 2 and entries.first().actor == me  # type: ignore[union-attr]


def test_a_collector_may_not_reveal_an_id_number(
    setup: tuple[CollectionCase, User, Party, Party], client: Client
) -> None:
    case, me, party, _stranger = setup
    client.force_login(me)

    response = client.post(f"/cases/{case.pk}/reveal/", {"kind": "id_number", "party": party.pk})

    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="reveal.id_number").exists()


def test_a_team_lead_reveals_an_id_number_with_an_audit_entry(
    setup: tuple[CollectionCase, User, Party, Party],
) -> None:
    case, me, party, _stranger = setup
    lead = User.objects.create_user("lead", password=PASSWORD, role="team_lead", team=me.team)

    shown = id_number_reveal(user=lead, party_id=party.pk, case=case)

    assert shown == party.id_number
    entry = AuditEntry.objects.get(action="reveal.id_number")
    assert (entry.subject_id, entry.data["case"]) == (str(party.pk), case.pk)


def test_a_party_of_another_loan_cannot_be_revealed_through_this_case(
    setup: tuple[CollectionCase, User, Party, Party], client: Client
) -> None:
    case, me, _party, stranger = setup
    lead = User.objects.create_user("lead", password=PASSWORD, role="team_lead", team=me.team)
    stranger_phone = stranger.contact_points.get(kind="phone")

    with pytest.raises(NotFound):
        id_number_reveal(user=lead, party_id=stranger.pk, case=case)
    with pytest.raises(NotFound):
        contact_point_reveal(user=me, contact_point_id=stranger_phone.pk, case=case)
    client.force_login(me)
    response = client.post(
        f"/cases/{case.pk}/reveal/", {"kind": "phone", "contact_point": stranger_phone.pk}
    )
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action__startswith="reveal").exists()


def test_a_reveal_on_a_case_outside_the_scope_is_not_found(
    setup: tuple[CollectionCase, User, Party, Party], client: Client
) -> None:
    _case, _me, _party, stranger = setup
    elsewhere = CollectionCase.objects.get(loan__loan_id="R2")
    client.force_login(_me)

    response = client.post(
        f"/cases/{elsewhere.pk}/reveal/",
        {"kind": "phone", "contact_point": stranger.contact_points.get(kind="phone").pk},
    )

    assert response.status_code == 404
