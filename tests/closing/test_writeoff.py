"""Write-off (核销): proposed with reason and evidence, decided under the authority matrix
by someone else, posted to the ledger; the aging drops by the balance written off, the case
closes as written off and stays closed, and a later payment is a post-write-off recovery."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from arrears.accounts.models import User
from arrears.cases.models import CollectionCase, WriteOffEvidence
from arrears.cases.writeoff_services import EvidenceFile, writeoff_decide, writeoff_propose
from arrears.core.errors import Forbidden, InvalidInput
from arrears.core.models import AuditEntry
from arrears.insights.kpis import month_kpis
from arrears.insights.writeoff_recoveries import writeoff_recoveries
from arrears.portfolio.models import Creditor, WriteOff
from tests.closing.world import Closing, closing_world, cycle

pytestmark = pytest.mark.django_db

END = date(2026, 4, 30)


def _aging_total(month: date) -> int:
    aging = month_kpis(month)["aging"]
    return sum(round(float(bucket["principal"]) * 100) for bucket in aging.values())


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path) -> Closing:
    world = closing_world(creditor, tmp_path, {"W1": {}, "W2": {}})
    cycle("--date", "2026-02-28", "--through", END.isoformat())
    return world


def test_a_write_off_needs_someone_else_within_their_authority_and_posts_to_the_ledger(
    world: Closing,
) -> None:
    case = world.case("W1")
    proposal = writeoff_propose(
        case=case,
        by=world.lead,
        reason="borrower's business closed, no assets found",
        evidence="court search 2026-04-20: no property",
        files=[EvidenceFile("search.pdf", b"%PDF-1.4 no assets")],
        on=END,
    )
    stored = WriteOffEvidence.objects.get(proposal=proposal)
    data = (Path(settings.DATA_DIR) / stored.path).read_bytes()
    assert (
        stored.sha256
        == hashlib.sha256(data).hexdigest()
        == hashlib.sha256(b"%PDF-1.4 no assets").hexdigest()
    )
    with pytest.raises(InvalidInput, match="already waiting"):
        writeoff_propose(case=case, by=world.manager, reason="again", on=END)

    with pytest.raises(Forbidden, match="someone else"):
        writeoff_decide(proposal=proposal, by=world.lead, approve=True, note="", on=END)
    other_lead = User.objects.create_user("lead2", role="team_lead", team=world.lead.team)
    with pytest.raises(Forbidden, match=r"up to 20,000\.00 yuan"):
        writeoff_decide(proposal=proposal, by=other_lead, approve=True, note="", on=END)
    with pytest.raises(Forbidden):
        writeoff_decide(proposal=proposal, by=world.collector, approve=True, note="", on=END)
    before = _aging_total(END)

    writeoff_decide(proposal=proposal, by=world.manager, approve=True, note="agreed", on=END)

    record = WriteOff.objects.get(loan__loan_id="W1")
    assert record.written_off_on == END and record.principal > 0 and record.penalty > 0
    assert record.total == proposal.balance
    assert before - _aging_total(END) == record.principal
    case.refresh_from_db()
    assert (case.status, case.close_reason, case.closed_on) == ("closed", "written_off", END)
    assert world.loan("W1").status == "written_off"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"writeoff.propose", "writeoff.approve", "writeoff.post"} <= actions

    # The cycle neither reopens the case nor opens another; payments still post, as recoveries.
    world.pay("W1", "2026-05-05", "1500.00")
    cycle("--date", "2026-05-01", "--through", "2026-05-06")
    assert list(
        CollectionCase.objects.filter(loan__loan_id="W1").values_list("status", "close_reason")
    ) == [("closed", "written_off")]
    report = writeoff_recoveries(date(2026, 5, 1))
    assert report["total"] == "1500.00"
    assert [(r["loan"], r["recovered_in_month"]) for r in report["loans"]] == [("W1", "1500.00")]
    assert writeoff_recoveries(date(2026, 4, 1))["loans"] == []
    out = StringIO()
    call_command("insights", "writeoff-recoveries", "--month", "2026-05", "--json", stdout=out)
    assert json.loads(out.getvalue())["total"] == "1500.00"
    client = Client()
    client.force_login(world.manager)
    page = client.get("/stop-loss/", {"week": "2026-05-06"}).content.decode()
    assert 'data-testid="recoveries-total">1500.00<' in page


def test_a_rejection_says_why_and_leaves_the_loan_on_the_book(world: Closing) -> None:
    proposal = writeoff_propose(case=world.case("W2"), by=world.lead, reason="small", on=END)
    with pytest.raises(InvalidInput, match="say why"):
        writeoff_decide(proposal=proposal, by=world.manager, approve=False, note=" ", on=END)

    rejected = writeoff_decide(
        proposal=proposal, by=world.manager, approve=False, note="keep calling", on=END
    )

    assert rejected.status == "rejected" and not WriteOff.objects.exists()
    assert world.case("W2").status == "open" and world.loan("W2").status == "active"
