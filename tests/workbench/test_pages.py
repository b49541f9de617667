"""The web pages: sign-in required, and a loan shown on a business date."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from arrears.accounts.models import User
from arrears.portfolio.models import Creditor
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db


def test_the_home_page_needs_a_sign_in(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_loan_page_shows_its_schedule_and_dpd(
    creditor: Creditor, tmp_path: Path, client: Client
) -> None:
    tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [loan_row("W1")])
    )
    client.force_login(User.objects.create_superuser("boss", password="a-long-unique-pass"))

    page = client.get("/loans/", {"loan_id": "W1", "as_of": "2026-04-01"}).content.decode()

    assert "DPD <strong>32</strong> (M2)" in page
    assert "9461.85" in page


def test_an_unknown_loan_says_so_on_the_page(creditor: Creditor, client: Client) -> None:
    client.force_login(User.objects.create_superuser("boss", password="a-long-unique-pass"))

    response = client.get("/loans/", {"loan_id": "NOPE"})

    assert response.status_code == 404
    assert "Loan NOPE was not found among the loans you may see." in response.content.decode()
