"""The compliance gate over the database: policies, recorded contacts, holds, refusals."""

from __future__ import annotations

import json
from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from arrears.accounts.models import User
from arrears.compliance.models import CompliancePolicy, ContactAttempt, ContactRefusal, Hold
from arrears.compliance.services import contact_attempt_record, contact_check, hold_lift, hold_place
from arrears.portfolio.models import ContactPoint, Creditor, Loan, LoanParty, Party
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(creditor: Creditor, tmp_path: Path) -> Loan:
    tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [loan_row("W1")])
    )
    return Loan.objects.get(loan_id="W1")


def borrower(loan: Loan) -> Party:
    return LoanParty.objects.get(loan=loan, role="borrower").party


def check(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("compliance", "check", "--loan", "W1", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_command_answers_allowed_or_why_not_and_when(loan: Loan) -> None:
    late = check("--role", "borrower", "--channel", "call", "--at", "2026-07-01T22:00+08:00")
    in_time = check("--role", "borrower", "--channel", "call", "--at", "2026-07-01T21:59+08:00")

    quiet = {"start": "08:00", "end": "22:00", "local": "22:00", "tz": "Asia/Shanghai"}
    message = "outside 08:00–22:00 in the debtor's time (22:00 Asia/Shanghai)"
    assert late == {
        "allowed": False,
        "reasons": [message],
        "next_allowed_at": "2026-07-02T08:00:00+08:00",
        "reason_codes": ["quiet_hours"],
        "refusals": [{"code": "quiet_hours", "message": message, "params": quiet}],
    }
    assert in_time == {
        "allowed": True,
        "reasons": [],
        "next_allowed_at": None,
        "reason_codes": [],
        "refusals": [],
    }
    refusal = ContactRefusal.objects.get()  # every refusal is kept, allowed checks are not
    # Stored as the reason's code and parameters, put into words when shown.
    assert refusal.reasons == [{"code": "quiet_hours", "params": quiet}]
    assert refusal.party == borrower(loan)


def test_an_agencys_conversations_count_with_the_lenders(loan: Loan) -> None:
    party = borrower(loan)
    for hour, by in ((9, "lender"), (11, "lender"), (14, "agency:某某资产管理")):
        contact_attempt_record(
            loan=loan,
            party=party,
            channel="call",
            at=datetime.fromisoformat(f"2026-07-01T{hour:02d}:00+08:00"),
            outcome="conversation",
            by=by,
        )

    fourth = check("--role", "borrower", "--channel", "call", "--at", "2026-07-01T15:00+08:00")

    assert fourth["reasons"] == ["3 conversations today already (at most 3)"]


def test_a_creditor_may_be_stricter_than_the_pack_never_looser(loan: Loan) -> None:
    party = borrower(loan)
    for hour in (9, 11):
        contact_attempt_record(
            loan=loan,
            party=party,
            channel="call",
            at=datetime.fromisoformat(f"2026-07-01T{hour:02d}:00+08:00"),
            outcome="conversation",
        )
    policy = CompliancePolicy.objects.create(creditor=loan.creditor, conversations_per_day=2)
    stricter = check("--role", "borrower", "--channel", "call", "--at", "2026-07-01T15:00+08:00")
    policy.conversations_per_day = 9
    policy.save()
    looser = check("--role", "borrower", "--channel", "call", "--at", "2026-07-01T15:00+08:00")

    assert stricter["reasons"] == ["2 conversations today already (at most 2)"]
    assert looser["allowed"] is True  # 2 of the pack's 3


def test_a_hold_stops_contact_until_lifted(loan: Loan) -> None:
    hold = hold_place(kind="dispute", reason="borrower disputes the balance", party=borrower(loan))
    held = check("--role", "borrower", "--channel", "sms", "--at", "2026-07-01T10:00+08:00")
    hold_lift(hold=hold)
    lifted = check("--role", "borrower", "--channel", "sms", "--at", "2026-07-01T10:00+08:00")

    assert held["allowed"] is False and held["next_allowed_at"] is None
    assert held["reasons"] == ["hold: dispute"] and held["reason_codes"] == ["hold"]
    assert lifted["allowed"] is True


def test_a_contact_person_waits_until_the_borrower_is_unreachable(loan: Loan) -> None:
    friend = Party.objects.create(creditor=loan.creditor, name="李四")
    LoanParty.objects.create(loan=loan, party=friend, role="contact_person")
    at = "2026-07-01T10:00+08:00"
    args = (
        "--role",
        "contact_person",
        "--channel",
        "call",
        "--at",
        at,
        "--purpose",
        "pass_message",
    )

    reachable = check(*args)
    for hour in (9, 10, 11):
        contact_attempt_record(
            loan=loan,
            party=borrower(loan),
            channel="call",
            at=datetime.fromisoformat(f"2026-06-30T{hour:02d}:00+08:00"),
            outcome="no_answer",
        )
    unreachable = check(*args)
    asked_to_collect = check(*args[:-2], "--purpose", "collect")

    assert reachable["allowed"] is False and "the debtor is reachable" in str(reachable["reasons"])
    assert unreachable["allowed"] is True
    assert asked_to_collect["reasons"] == [
        "a contact person may only be asked to pass on a message"
    ]


def test_every_number_invalid_makes_the_borrower_unreachable(loan: Loan) -> None:
    friend = Party.objects.create(creditor=loan.creditor, name="李四")
    LoanParty.objects.create(loan=loan, party=friend, role="contact_person")
    ContactPoint.objects.filter(party=borrower(loan), kind="phone").update(status="invalid")

    answer = contact_check(
        loan=loan,
        party=friend,
        channel="call",
        at=datetime.fromisoformat("2026-07-01T10:00+08:00"),
        purpose="pass_message",
    )

    assert answer.allowed


def test_the_us_pack_uses_the_creditors_zone_and_hours(loan: Loan) -> None:
    CompliancePolicy.objects.create(
        creditor=loan.creditor, pack="us-regf", time_zone="America/Chicago"
    )

    # 21:00 in Chicago is 10:00 the next morning in Shanghai: the debtor's zone decides.
    answer = check("--role", "borrower", "--channel", "call", "--at", "2026-07-02T10:00+08:00")

    assert answer["reasons"] == ["outside 08:00–21:00 in the debtor's time (21:00 America/Chicago)"]
    assert answer["next_allowed_at"] == "2026-07-02T08:00:00-05:00"


def test_a_role_the_loan_lacks_or_a_time_without_zone_exits_2(loan: Loan) -> None:
    with pytest.raises(CommandError, match="has no guarantor") as missing:
        check("--role", "guarantor", "--channel", "call", "--at", "2026-07-01T10:00+08:00")
    with pytest.raises(CommandError, match="must carry its zone") as naive:
        check("--role", "borrower", "--channel", "call", "--at", "2026-07-01T10:00")

    assert missing.value.returncode == 2 and naive.value.returncode == 2


def record(loan: Loan, when: str, outcome: str = "conversation", **extra: object) -> bool:
    attempt, _ = contact_attempt_record(
        loan=loan,
        party=borrower(loan),
        channel="call",
        at=datetime.fromisoformat(when),
        outcome=outcome,
        **extra,  # type: ignore[arg-type]
    )
    return attempt is not None


def test_a_contact_the_gate_refuses_cannot_be_logged_as_made(loan: Loan) -> None:
    _, decision = contact_attempt_record(
        loan=loan,
        party=borrower(loan),
        channel="call",
        at=datetime.fromisoformat("2026-07-01T23:00+08:00"),
        outcome="conversation",
    )

    assert not decision.allowed and "outside 08:00–22:00" in decision.reasons[0]
    assert not ContactAttempt.objects.exists()
    assert ContactRefusal.objects.get().reasons == decision.stored_reasons()


def test_the_audit_lists_reported_breaches_and_nothing_else(loan: Loan) -> None:
    for hour in (9, 11, 14):
        assert record(loan, f"2026-07-01T{hour:02d}:00+08:00")
    # An agency's report after the fact: kept as evidence, then found by the audit.
    record(loan, "2026-07-01T16:00+08:00", by="agency:某某", enforce=False)
    record(loan, "2026-07-02T23:30+08:00", outcome="no_answer", by="agency:某某", enforce=False)
    out = StringIO()

    call_command(
        "compliance", "audit", "--from", "2026-07-01", "--to", "2026-07-02", "--json", stdout=out
    )
    breaches = json.loads(out.getvalue())["breaches"]
    clean = StringIO()
    call_command("compliance", "audit", "--from", "2026-06-01", "--to", "2026-06-30", stdout=clean)

    assert [(b["at"][:16], b["by"], b["reasons"]) for b in breaches] == [
        ("2026-07-01T08:00", "agency:某某", ["3 conversations today already (at most 3)"]),
        (
            "2026-07-02T15:30",
            "agency:某某",
            ["outside 08:00–22:00 in the debtor's time (23:30 Asia/Shanghai)"],
        ),
    ]
    assert clean.getvalue().startswith("0 breaches")


def test_the_audit_judges_by_the_creditors_stricter_caps(loan: Loan) -> None:
    CompliancePolicy.objects.create(creditor_id=loan.creditor_id, conversations_per_day=2)
    for hour in (9, 11):
        assert record(loan, f"2026-07-01T{hour:02d}:00+08:00")
    record(loan, "2026-07-01T16:00+08:00", by="agency:某某", enforce=False)
    out = StringIO()

    call_command(
        "compliance", "audit", "--from", "2026-07-01", "--to", "2026-07-01", "--json", stdout=out
    )

    assert [b["reasons"] for b in json.loads(out.getvalue())["breaches"]] == [
        ["2 conversations today already (at most 2)"]
    ]


def test_holds_are_placed_and_lifted_in_the_admin_and_never_deleted(
    loan: Loan, client: Client
) -> None:
    boss = User.objects.create_superuser("boss", password="a-long-unique-pass")
    client.force_login(boss)
    party = borrower(loan)
    url = "/admin/compliance/hold/"

    unnamed = client.post(url + "add/", {"kind": "opt_out", "party": party.pk, "reason": "退订"})
    client.post(url + "add/", {"kind": "complaint", "party": party.pk, "reason": "12378 投诉"})
    hold = Hold.objects.get()
    held = contact_check(
        loan=loan, party=party, channel="sms", at=datetime.fromisoformat("2026-07-01T10:00+08:00")
    )
    client.post(url, {"action": "lift", "_selected_action": [hold.pk]})
    hold.refresh_from_db()

    assert unnamed.status_code == 200  # an opt-out must name its channel: the form says so
    assert (hold.placed_by, hold.lifted_by) == (boss, boss) and hold.lifted_at is not None
    assert held.reasons == ["hold: complaint"]
    assert client.get(f"{url}{hold.pk}/delete/").status_code == 403
