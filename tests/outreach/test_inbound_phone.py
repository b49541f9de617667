"""An SMS reply is matched to the stored (E.164) number however the gateway writes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from arrears.compliance.models import CompliancePolicy, Hold
from arrears.outreach.services import inbound_sms
from arrears.portfolio.models import Creditor, Party
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sender", ["+86 138 0013 8000", "8613800138000", "13800138000"])
def test_an_opt_out_reply_from_any_form_of_the_number_holds_its_party(
    creditor: Creditor, tmp_path: Path, sender: str
) -> None:
    row = loan_row("R1", borrower_phone="138-0013-8000")
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [row]))
    party = Party.objects.get(name="张三")

    assert inbound_sms(phone=sender, text="退订") == [party.pk]
    assert Hold.objects.filter(party=party, kind="opt_out", channel="sms").exists()


def test_a_reply_from_abroad_without_plus_finds_the_us_number(
    creditor: Creditor, tmp_path: Path
) -> None:
    CompliancePolicy.objects.create(creditor=creditor, pack="us-regf")
    row = loan_row("R1", borrower_phone="(202) 555-0143")
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [row]))
    party = Party.objects.get(name="张三")

    assert inbound_sms(phone="12025550143", text="STOP") == [party.pk]
