"""The pay-out from the case page: a manager records it with an evidence file; a collector
may not; a refusal shows on the form."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from arrears.accounts.models import User
from arrears.cases.models import CollectionCase
from arrears.guarantee.models import Payout
from arrears.portfolio.models import Creditor

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(lender: Creditor) -> CollectionCase:
    return CollectionCase.objects.get(loan__loan_id="G1", status="open")


def _manager(lender: Creditor) -> User:
    manager = User.objects.create_user("manager", role="manager")
    manager.creditors.add(lender)  # type: ignore[attr-defined]
    return manager


def test_a_manager_records_the_payout_with_its_evidence_file(
    lender: Creditor, case: CollectionCase, client: Client
) -> None:
    client.force_login(_manager(lender))
    assert b"guarantee-payout" in client.get(f"/cases/{case.pk}/").content

    voucher = b"%PDF bank receipt"
    response = client.post(
        f"/cases/{case.pk}/payout/",
        {
            "on": "2026-04-25",
            "amount": "1,000.00",
            "penalty_rate": "24",
            "evidence": "银行代偿回单",
            "file": SimpleUploadedFile("receipt.pdf", voucher, content_type="application/pdf"),
        },
    )

    assert response.status_code == 302
    payout = Payout.objects.get()
    assert (payout.amount, payout.claim.loan_id, str(payout.claim.penalty_rate)) == (
        1_000_00,
        "G1-DC",
        "0.24000000",
    )
    assert payout.evidence_sha256 == hashlib.sha256(voucher).hexdigest()
    assert payout.by is not None and payout.by.username == "manager"


def test_a_refused_payout_shows_on_the_form_and_a_collector_may_not(
    lender: Creditor, case: CollectionCase, client: Client
) -> None:
    client.force_login(_manager(lender))
    response = client.post(f"/cases/{case.pk}/payout/", {"on": "2026-04-25", "amount": "9999999"})
    assert response.status_code == 400
    assert b"more than the loan owes" in response.content
    assert not Payout.objects.exists()

    collector = User.objects.create_user("collector", role="collector")
    client.force_login(collector)
    assert client.get(f"/cases/{case.pk}/payout/").status_code == 403
