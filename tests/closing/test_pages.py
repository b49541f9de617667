"""The closing pages: a write-off proposed from the case page with a file, listed on the
approvals page for a manager, refused for a team lead over the limit with a message naming
it, approved; the case page shows the close reason; the close form; refusals are 403/404."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from arrears.accounts.models import User
from arrears.cases.models import WriteOffEvidence, WriteOffProposal
from arrears.compliance.models import Hold
from arrears.portfolio.models import Creditor, LoanParty
from tests.closing.world import Closing, closing_world, cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path) -> Closing:
    world = closing_world(creditor, tmp_path, {"G1": {}, "G2": {}})
    cycle("--date", "2026-03-01", "--through", "2026-03-05")
    return world


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_write_off_goes_from_the_case_page_through_approvals_to_a_closed_case(
    world: Closing,
) -> None:
    case = world.case("G1")
    lead = _client(world.lead)
    assert 'data-testid="propose-writeoff"' in lead.get(f"/cases/{case.pk}/").content.decode()
    missing = lead.post(f"/cases/{case.pk}/write-off/", {"reason": ""})
    assert missing.status_code == 400 and 'data-field="reason"' in missing.content.decode()

    proposed = lead.post(
        f"/cases/{case.pk}/write-off/",
        {
            "reason": "no assets",
            "evidence": "asset search",
            "evidence_files": [SimpleUploadedFile("search.txt", b"nothing found")],
        },
    )
    assert proposed.status_code == 302
    proposal = WriteOffProposal.objects.get(case=case)
    assert WriteOffEvidence.objects.filter(proposal=proposal).count() == 1

    other_lead = User.objects.create_user("lead2", role="team_lead", team=world.lead.team)
    over = _client(other_lead)
    assert f"approval-writeoff-{proposal.pk}" not in over.get("/approvals/").content.decode()
    refused = over.post(
        f"/write-offs/{proposal.pk}/decide/", {"decision": "approve"}, follow=True
    ).content.decode()
    assert "up to 20,000.00 yuan" in refused

    manager = _client(world.manager)
    assert f"approval-writeoff-{proposal.pk}" in manager.get("/approvals/").content.decode()
    manager.post(f"/write-offs/{proposal.pk}/decide/", {"decision": "approve", "note": "ok"})

    page = manager.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-reason="written_off"' in page and 'data-testid="written-off"' in page
    assert _client(world.collector).get(f"/cases/{case.pk}/write-off/").status_code == 403


def test_a_manager_closes_a_case_as_deceased_from_the_case_page(world: Closing) -> None:
    case = world.case("G2")
    manager = _client(world.manager)
    refused = manager.post(
        f"/cases/{case.pk}/close/", {"reason": "deceased", "note": "cert"}, follow=True
    )
    assert "deceased hold" in refused.content.decode()
    borrower = LoanParty.objects.get(loan=case.loan, role="borrower")
    Hold.objects.create(party_id=borrower.party_id, kind="deceased", reason="family")

    manager.post(f"/cases/{case.pk}/close/", {"reason": "deceased", "note": "certificate 12"})

    assert 'data-reason="deceased"' in manager.get(f"/cases/{case.pk}/").content.decode()
    assert _client(world.collector).post(f"/cases/{case.pk}/close/").status_code == 403
