"""One reader of the parties' situations: the gate, the batch and the audit judge a contact
on the same situation, read in the same few queries however many parties are asked about."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.compliance.audit import audit
from arrears.compliance.batch import Candidate, contact_check_many, time_zone_of
from arrears.compliance.models import CompliancePolicy, ContactAttempt, Hold
from arrears.compliance.rules import DEFAULT_PACK, DEFAULT_TIME_ZONE
from arrears.compliance.selectors import Subject, party_situations, policy_for
from arrears.compliance.services import contact_attempt_record, contact_check, hold_place
from arrears.compliance.situations import INLINE_IDS, id_set
from arrears.portfolio.models import Creditor, Loan, LoanParty, Party
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db
AT = datetime.fromisoformat("2026-07-01T10:00+08:00")


@pytest.fixture
def loans(creditor: Creditor, tmp_path: Path) -> list[Loan]:
    """Four loans, each with a borrower and a contact person (their friend)."""
    tape_ingest(
        creditor=creditor,
        kind="loans",
        path=write_csv(tmp_path / "l.csv", [loan_row(f"S{n}") for n in range(4)]),
    )
    found = list(Loan.objects.order_by("loan_id"))
    for loan in found:
        friend = Party.objects.create(creditor=creditor, name=f"{loan.loan_id}的朋友")
        LoanParty.objects.create(loan=loan, party=friend, role="contact_person")
    return found


def party(loan: Loan, role: str) -> Party:
    return LoanParty.objects.get(loan=loan, role=role).party


def subjects(loans: list[Loan], role: str, channel: str = "call") -> list[Subject]:
    return [
        Subject(
            creditor_id=loan.creditor_id,
            loan_id=loan.pk,
            party_id=party(loan, role).pk,
            at=AT,
            role=role,
            channel=channel,
        )
        for loan in loans
    ]


def queries(asked: list[Subject]) -> int:
    with CaptureQueriesContext(connection) as captured:
        party_situations(asked)
    return len(captured.captured_queries)


def test_many_parties_are_read_in_as_many_queries_as_one(loans: list[Loan]) -> None:
    for loan in loans:
        contact_attempt_record(
            loan=loan, party=party(loan, "borrower"), channel="call", at=AT, outcome="no_answer"
        )
        hold_place(kind="complaint", reason="complained", loan=loan)
    later = [
        dataclasses.replace(s, at=AT + timedelta(hours=n))
        for n, s in enumerate(subjects(loans, "contact_person"))
    ]

    one_borrower, all_borrowers = (
        queries(subjects(loans[:1], "borrower")),
        queries(subjects(loans, "borrower")),
    )
    one_friend, all_friends = (
        queries(subjects(loans[:1], "contact_person")),
        queries(subjects(loans, "contact_person")),
    )

    # Policies, holds, history; for a contact person, the debtors' phones and latest calls
    # too (the calls before the span and in it when the moments differ).
    assert one_borrower == all_borrowers == 3
    assert one_friend == all_friends == 5
    assert queries(later) == 6
    assert queries(subjects(loans, "borrower", channel="sms")) == 2  # no history for a message


def test_the_batch_judges_a_contact_person_as_the_gate_does(loans: list[Loan]) -> None:
    for hour in (9, 10, 11):
        contact_attempt_record(
            loan=loans[0],
            party=party(loans[0], "borrower"),
            channel="call",
            at=AT - timedelta(days=20) + timedelta(hours=hour - 10),  # old, still the latest
            outcome="no_answer",
        )

    friends = [
        Candidate(
            creditor_id=loan.creditor_id,
            loan_id=loan.pk,
            party_id=party(loan, "contact_person").pk,
            role="contact_person",
            channel="call",
            at=AT,
            purpose="pass_message",
        )
        for loan in loans[:2]
    ]
    batch = contact_check_many(friends, asked_by="test")
    gate = [
        contact_check(
            loan=loan,
            party=party(loan, "contact_person"),
            channel="call",
            at=AT,
            purpose="pass_message",
        )
        for loan in loans[:2]
    ]

    assert batch == gate
    assert [d.allowed for d in batch] == [True, False]  # the first borrower is unreachable


def test_a_refusal_however_old_stands_for_the_batch_too(loans: list[Loan]) -> None:
    friend = party(loans[0], "contact_person")
    ContactAttempt.objects.create(
        loan=loans[0],
        party=friend,
        role="contact_person",
        channel="call",
        at=AT - timedelta(days=200),
        outcome="refused",
    )

    (decision,) = contact_check_many(
        [Candidate(loans[0].creditor_id, loans[0].pk, friend.pk, "contact_person", "sms", AT)],
        asked_by="test",
    )

    assert "this contact person refused to pass on messages" in decision.reasons


def test_the_audit_judges_a_contact_by_the_holds_in_force_at_its_time(loans: list[Loan]) -> None:
    borrower = party(loans[0], "borrower")
    for day in (1, 3, 5):
        contact_attempt_record(
            loan=loans[0],
            party=borrower,
            channel="sms",
            at=AT + timedelta(days=day - 1),
            outcome="sent",
            enforce=False,
        )
    hold = hold_place(kind="dispute", reason="disputes the balance", party=borrower)
    # Placed on 2 July and lifted on 4 July: only the message of 3 July broke it.
    Hold.objects.filter(pk=hold.pk).update(
        created_at=AT + timedelta(days=1), lifted_at=AT + timedelta(days=3)
    )

    breaches = audit(AT.date(), AT.date() + timedelta(days=5))

    assert [(str(b["at"])[:10], b["reasons"]) for b in breaches] == [
        ("2026-07-03", ["hold: dispute"])
    ]


def test_a_creditor_without_a_policy_gets_the_one_default(loans: list[Loan]) -> None:
    other = Creditor.objects.create(name="另一家")
    CompliancePolicy.objects.create(creditor=other, pack="us-regf", time_zone="America/Chicago")

    pack, zone = policy_for(loans[0])

    assert (pack.code, zone) == (DEFAULT_PACK, DEFAULT_TIME_ZONE) == ("cn", "Asia/Shanghai")
    assert time_zone_of([loans[0].creditor_id, other.pk]) == {
        loans[0].creditor_id: "Asia/Shanghai",
        other.pk: "America/Chicago",
    }
    assert CompliancePolicy(creditor=loans[0].creditor).pack == DEFAULT_PACK


def test_a_large_id_set_travels_as_one_parameter(loans: list[Loan]) -> None:
    borrower = party(loans[0], "borrower")
    contact_attempt_record(loan=loans[0], party=borrower, channel="sms", at=AT, outcome="sent")
    many = set(range(borrower.pk + 1, borrower.pk + 40_000)) | {borrower.pk}

    with CaptureQueriesContext(connection) as captured:
        found = list(ContactAttempt.objects.filter(party_id__in=id_set(many)))

    assert len(many) > INLINE_IDS and [a.party_id for a in found] == [borrower.pk]
    assert len(captured.captured_queries) == 1
