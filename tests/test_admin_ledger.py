"""In the admin, a loan's money cannot be edited by hand: the change form ignores a new
principal, and a correction goes through the correction form, which rebuilds the schedule
and writes the audit entry. Reported: a principal edited from 6,400.00 to 12,345.67 yuan
with no audit entry and the old schedule left in place."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from arrears.accounts.models import User
from arrears.accounts.roles import CAPABILITIES
from arrears.core.audit import audit_verify
from arrears.core.models import AuditEntry
from arrears.portfolio.models import Creditor, Installment, Loan, Payment
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loan_correct_capability(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # accounts/roles.py (not this change's file) is to gain "loan_correct" for managers
    # and administrators; until it does, the tests grant it the same way.
    if "loan_correct" not in CAPABILITIES:
        monkeypatch.setitem(CAPABILITIES, "loan_correct", frozenset({"manager", "admin"}))
    yield


@pytest.fixture
def loan(creditor: Creditor, tmp_path: Path) -> Loan:
    row = loan_row("L1", principal="6,400.00", disbursed_on="2026-01-15", term_months="6")
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [row]))
    return Loan.objects.get(loan_id="L1")


def staff(client: Client, role: str) -> Client:
    user = User.objects.create_superuser(f"staff-{role}", password="a-long-unique-pass", role=role)
    client.force_login(user)
    return client


class _FormFields(HTMLParser):
    """The fields a browser would post from the loan's change form."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form" and found.get("id") == "loan_form":
            self._in_form = True
        if not self._in_form:
            return
        name = found.get("name")
        if tag == "input" and name and found.get("type") not in ("submit", "checkbox"):
            self.fields[name] = found.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in found:
            self.fields[self._select] = found.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def form_fields(html: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(html)
    return parser.fields


def schedule(loan: Loan) -> list[tuple[int, int, int]]:
    return list(
        Installment.objects.filter(loan=loan)
        .order_by("seq")
        .values_list("seq", "principal", "interest")
    )


def test_posting_a_new_principal_on_the_change_form_changes_no_money(
    client: Client, loan: Loan
) -> None:
    admin = staff(client, "admin")
    url = f"/admin/portfolio/loan/{loan.pk}/change/"
    before = schedule(loan)
    fields = form_fields(admin.get(url).content.decode())
    assert "principal" not in fields and "annual_rate" not in fields

    posted = {**fields, "principal": "1234567", "annual_rate": "0.5", "branch": "Pudong"}
    response = admin.post(url, posted)

    assert response.status_code == 302
    loan.refresh_from_db()
    assert (loan.principal, loan.annual_rate, loan.branch) == (640_000, loan.annual_rate, "Pudong")
    assert str(loan.annual_rate) == "0.12000000"
    assert schedule(loan) == before
    # The edit that did happen (the branch) is on the audit chain, and nothing else is.
    entries = list(AuditEntry.objects.values_list("action", "data"))
    assert entries == [("admin.change", {"before": {"branch": ""}, "after": {"branch": "Pudong"}})]
    assert audit_verify().intact


def test_loans_and_payments_cannot_be_added_or_deleted_in_the_admin(
    client: Client, loan: Loan
) -> None:
    admin = staff(client, "admin")

    assert admin.get("/admin/portfolio/loan/add/").status_code == 403
    assert admin.get(f"/admin/portfolio/loan/{loan.pk}/delete/").status_code == 403
    assert admin.get("/admin/portfolio/payment/add/").status_code == 403
    assert admin.post("/admin/portfolio/payment/add/", {"amount": "1"}).status_code == 403
    assert not Payment.objects.exists()


def test_the_correction_form_corrects_the_principal_rebuilds_the_schedule_and_audits(
    client: Client, loan: Loan
) -> None:
    manager = staff(client, "manager")
    change = manager.get(f"/admin/portfolio/loan/{loan.pk}/change/").content.decode()
    url = f"/admin/portfolio/loan/{loan.pk}/correct/"
    assert url in change
    form = form_fields_of_correction(manager.get(url).content.decode())
    assert form["principal"] == "6400.00"

    response = manager.post(url, {**form, "principal": "12,345.67", "reason": "keying error"})

    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.principal == 1_234_567
    assert sum(principal for _, principal, _ in schedule(loan)) == 1_234_567
    entries = list(AuditEntry.objects.all())
    assert [entry.action for entry in entries] == ["loan.correct"]
    assert entries[0].actor_name == "staff-manager"
    assert entries[0].data["before"] == {"principal": 640_000}
    assert entries[0].data["after"] == {"principal": 1_234_567}
    assert audit_verify().intact


def form_fields_of_correction(html: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(html.replace('<form method="post" novalidate>', '<form id="loan_form">'))
    return {key: value for key, value in parser.fields.items() if key != "csrfmiddlewaretoken"}


def test_a_correction_without_a_reason_or_out_of_bounds_shows_on_the_form(
    client: Client, loan: Loan
) -> None:
    manager = staff(client, "manager")
    url = f"/admin/portfolio/loan/{loan.pk}/correct/"
    form = form_fields_of_correction(manager.get(url).content.decode())

    no_reason = manager.post(url, {**form, "principal": "12,345.67", "reason": ""})
    too_much = manager.post(url, {**form, "principal": "9" * 20, "reason": "typo"})
    far_past = manager.post(url, {**form, "disbursed_on": "0001-01-01", "reason": "typo"})

    assert no_reason.status_code == too_much.status_code == far_past.status_code == 200
    assert "This field is required" in no_reason.content.decode()
    assert "above the ceiling" in too_much.content.decode()
    assert "between 1900-01-01 and 2100-12-31" in far_past.content.decode()
    loan.refresh_from_db()
    assert loan.principal == 640_000
    assert not AuditEntry.objects.exists()


def test_a_role_without_the_capability_gets_no_correction(client: Client, loan: Loan) -> None:
    lead = staff(client, "team_lead")
    url = f"/admin/portfolio/loan/{loan.pk}/correct/"

    assert url not in lead.get(f"/admin/portfolio/loan/{loan.pk}/change/").content.decode()
    assert lead.get(url).status_code == 403
    assert lead.post(url, {"principal": "12,345.67", "reason": "x"}).status_code == 403
    loan.refresh_from_db()
    assert loan.principal == 640_000
