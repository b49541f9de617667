"""Recorded demands and acknowledgments move the limitation date the cycle keeps."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from arrears.accounts.models import User
from arrears.portfolio.models import Creditor, LimitationEvent, Loan, LoanPosition
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_loan(creditor: Creditor, tmp_path: Path) -> None:
    """Last installment due 2023-11-01, never paid: the period ends 2026-11-01."""
    rows = [loan_row("OLD", disbursed_on="2022-11-01", term_months="12")]
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", rows))


def cycle(*args: str) -> None:
    call_command("cycle", *args, "--json", stdout=StringIO())


def limitation(*args: str) -> str:
    out = StringIO()
    call_command("limitation", *args, stdout=out)
    return out.getvalue()


def stored() -> tuple[str, bool]:
    position = LoanPosition.objects.get(loan__loan_id="OLD")
    return position.limitation_expires_on.isoformat(), position.limitation_watch  # type: ignore[union-attr]


def test_a_demand_restarts_the_period_from_its_own_day(old_loan: None) -> None:
    cycle("--date", "2026-08-03")
    assert stored() == ("2026-11-01", True)

    limitation("record", "OLD", "--kind", "demand", "--on", "2026-08-20", "--evidence", "EMS 11")
    cycle("--date", "2026-08-19")
    assert stored() == ("2026-11-01", True)  # not yet: the demand is dated tomorrow
    cycle("--date", "2026-08-20")
    assert stored() == ("2029-08-20", False)


def test_a_backdated_acknowledgment_counts_at_the_next_cycle(old_loan: None) -> None:
    cycle("--date", "2026-11-05")
    assert stored() == ("2026-11-01", True)  # expired, money still owed

    # Recorded now, signed before expiry... or after: an acknowledgment counts either way.
    limitation(
        "record", "OLD", "--kind", "acknowledgment", "--on", "2026-11-03", "--evidence", "scan 7"
    )
    cycle("--date", "2026-11-06")
    assert stored() == ("2029-11-03", False)
    listed = json.loads(limitation("list", "OLD", "--json"))
    assert listed["limitation_expires_on"] == "2029-11-03"
    assert [e["kind"] for e in listed["events"]] == ["acknowledgment"]


def test_a_demand_after_expiry_is_recorded_but_restarts_nothing(old_loan: None) -> None:
    limitation("record", "OLD", "--kind", "demand", "--on", "2026-11-02", "--evidence", "call 9")
    cycle("--date", "2026-11-05")
    assert stored() == ("2026-11-01", True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "demand", "--on", "2026-08-20"], "evidence is required"),
        (["--kind", "demand", "--on", "2099-01-01", "--evidence", "x"], "in the future"),
        (["--kind", "demand", "--on", "2020-01-01", "--evidence", "x"], "before the loan"),
    ],
)
def test_an_event_that_cannot_count_is_refused_with_the_reason(
    old_loan: None, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message) as raised:
        limitation("record", "OLD", *args)
    assert raised.value.returncode == 2
    assert not LimitationEvent.objects.exists()


def test_the_admin_records_an_event_with_who_and_refuses_one_without_proof(
    old_loan: None, client: Client
) -> None:
    boss = User.objects.create_superuser("boss", password="a-long-unique-pass")
    client.force_login(boss)
    loan = Loan.objects.get(loan_id="OLD")
    form = {"loan": loan.pk, "kind": "demand", "occurred_on": "2026-08-20", "note": ""}

    refused = client.post("/admin/portfolio/limitationevent/add/", {**form, "evidence": ""})
    assert refused.status_code == 200 and "evidence is required" in refused.content.decode()
    assert not LimitationEvent.objects.exists()

    client.post("/admin/portfolio/limitationevent/add/", {**form, "evidence": "EMS 11"})
    event = LimitationEvent.objects.get()
    assert (event.recorded_by, event.evidence) == (boss, "EMS 11")
    assert Loan.objects.get(pk=loan.pk).updated_at > loan.updated_at
    # Evidence: the change page shows it but cannot save over it, and nothing deletes it.
    client.post(
        f"/admin/portfolio/limitationevent/{event.pk}/change/",
        {**form, "occurred_on": "2026-08-01", "evidence": "other"},
    )
    assert LimitationEvent.objects.get().occurred_on.isoformat() == "2026-08-20"
    assert client.get(f"/admin/portfolio/limitationevent/{event.pk}/delete/").status_code == 403
