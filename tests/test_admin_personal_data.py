"""The admin shows ID numbers, phones, emails and addresses masked to every admin user, as
the workbench does, and reveals one only through an audited action of a role allowed to.
Reported: the admin showed full ID numbers and phones without an audited reveal."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import Client

from arrears.accounts.models import User
from arrears.core.audit import audit_verify
from arrears.core.masking import mask_id_number, mask_phone
from arrears.core.models import AuditEntry
from arrears.portfolio.choices import ContactKind
from arrears.portfolio.models import ContactPoint, Creditor, Loan, Party
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db

ADDRESS = "北京市朝阳区建国路88号院3号楼1204室"


@pytest.fixture
def borrower(creditor: Creditor, tmp_path: Path) -> tuple[Party, str, str]:
    row = loan_row("L1", borrower_email="zhang.san@example.com")
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [row]))
    # Looked up by the loan, not by the ID number: that column is stored encrypted.
    party = Party.objects.get(loan_roles__loan__loan_id="L1")
    ContactPoint.objects.create(party=party, kind=ContactKind.ADDRESS, value=ADDRESS)
    return party, row["borrower_id_number"], row["borrower_phone"]


def staff(client: Client, role: str) -> Client:
    user = User.objects.create_superuser(f"staff-{role}", password="a-long-unique-pass", role=role)
    client.force_login(user)
    return client


def test_the_party_list_and_page_show_the_id_and_contacts_masked_to_an_administrator(
    client: Client, borrower: tuple[Party, str, str]
) -> None:
    party, id_number, phone = borrower
    admin = staff(client, "admin")

    listing = admin.get("/admin/portfolio/party/").content.decode()
    page = admin.get(f"/admin/portfolio/party/{party.pk}/change/").content.decode()

    for html in (listing, page):
        assert id_number not in html
        assert mask_id_number(id_number) in html
    for clear in (phone, "zhang.san@example.com", ADDRESS, "建国路88号"):
        assert clear not in page
    assert mask_phone(phone) in page and "z***@example.com" in page
    # An administrator may not reveal: the page offers nothing to press.
    assert "/reveal/" not in page


def test_a_search_by_id_number_or_phone_finds_nothing(
    client: Client, borrower: tuple[Party, str, str]
) -> None:
    party, id_number, phone = borrower
    admin = staff(client, "admin")

    for term in (id_number, phone):
        html = admin.get("/admin/portfolio/party/", {"q": term}).content.decode()
        assert f"/admin/portfolio/party/{party.pk}/change/" not in html
    by_name = admin.get("/admin/portfolio/party/", {"q": party.name}).content.decode()
    assert f"/admin/portfolio/party/{party.pk}/change/" in by_name


def test_a_manager_reveals_an_id_number_and_a_phone_each_with_an_audit_entry(
    client: Client, borrower: tuple[Party, str, str]
) -> None:
    party, id_number, phone = borrower
    manager = staff(client, "manager")
    url = f"/admin/portfolio/party/{party.pk}/reveal/"
    page = manager.get(f"/admin/portfolio/party/{party.pk}/change/").content.decode()
    assert url in page and id_number not in page
    point = ContactPoint.objects.get(party=party, kind=ContactKind.PHONE)

    shown_id = manager.post(url, {"what": "id_number"})
    shown_phone = manager.post(url, {"what": "contact_point", "target": point.pk})

    assert id_number in shown_id.content.decode()
    assert phone in shown_phone.content.decode()
    assert "no-store" in shown_id["Cache-Control"]
    entries = list(
        AuditEntry.objects.values_list("action", "subject_type", "subject_id", "actor_name")
    )
    assert entries == [
        ("reveal.id_number", "party", str(party.pk), "staff-manager"),
        ("reveal.phone", "contact_point", str(point.pk), "staff-manager"),
    ]
    assert audit_verify().intact


def test_a_reveal_is_refused_without_the_capability_and_never_by_get(
    client: Client, borrower: tuple[Party, str, str]
) -> None:
    party, id_number, _ = borrower
    url = f"/admin/portfolio/party/{party.pk}/reveal/"
    admin = staff(client, "admin")

    refused = admin.post(url, {"what": "id_number"})
    by_get = admin.get(url, {"what": "id_number"})

    assert refused.status_code == 403 and by_get.status_code == 405
    assert id_number not in refused.content.decode() + by_get.content.decode()
    assert not AuditEntry.objects.exists()


def test_a_contact_point_of_another_party_is_not_revealed_through_this_one(
    client: Client, borrower: tuple[Party, str, str], creditor: Creditor, tmp_path: Path
) -> None:
    party, _, _ = borrower
    other = loan_row("L2", borrower_name="李四")
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l2.csv", [other]))
    foreign = ContactPoint.objects.get(party__loan_roles__loan__loan_id="L2", kind="phone")
    manager = staff(client, "manager")

    response = manager.post(
        f"/admin/portfolio/party/{party.pk}/reveal/",
        {"what": "contact_point", "target": foreign.pk},
    )

    oversized = manager.post(
        f"/admin/portfolio/party/{party.pk}/reveal/",
        {"what": "contact_point", "target": "9" * 30},
    )

    assert response.status_code == 404 and oversized.status_code == 400
    assert other["borrower_phone"] not in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_the_contact_journal_shows_the_number_masked(
    client: Client, borrower: tuple[Party, str, str]
) -> None:
    from arrears.compliance.models import ContactAttempt

    party, _, phone = borrower
    attempt = ContactAttempt.objects.create(
        loan=Loan.objects.get(loan_id="L1"),
        party=party,
        role="borrower",
        channel="call",
        number=phone,
        at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
        outcome="no_answer",
    )
    admin = staff(client, "admin")

    page = admin.get(f"/admin/compliance/contactattempt/{attempt.pk}/change/").content.decode()

    assert phone not in page and mask_phone(phone) in page
