"""A payment posted during the day, through ``POST /api/v1/payments``: a borrower brought
current is not called or texted any more that day, a partial payment changes nothing, the
loan's pages show the money at once, and the next cycle agrees with the intraday replay —
backdated payments included."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from io import StringIO
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from arrears.accounts.models import User
from arrears.cases.models import CollectionCase, WorkItem
from arrears.core.models import AuditEntry
from arrears.core.money import format_yuan
from arrears.cycle.selectors import position_mismatches, stored_state
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.selectors import loan_state
from tests.api.test_payments_api import PASSWORD, URL, book_loans, scoped_token

pytestmark = pytest.mark.django_db

# Far above the ids the cycle's plan step gives its actions.
_planned = count(10**9)


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def run_cycle(on: date) -> None:
    call_command("cycle", "--date", on.isoformat(), "--json", stdout=StringIO())


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path, today: date, client: Client) -> dict[str, Any]:
    """Two overdue loans whose cases opened yesterday, after today's cycle: each has the
    SMS the default playbook queued, and (set here rather than left to the playbook's
    timing) today's call, a visit due tomorrow and a review due today."""
    book_loans(creditor, tmp_path, "CUR-1", "CUR-2")
    run_cycle(today - timedelta(days=1))
    run_cycle(today)
    WorkItem.objects.all().delete()
    for case in CollectionCase.objects.select_related("loan"):
        assert sms_of(case.loan.loan_id) == {"queued"}
        party = case.loan.loan_parties.get(role="borrower").party_id
        common = {"case": case, "loan_id": case.loan_id, "party_id": party}
        for kind, due in (
            ("call", at(today, 14)),
            ("visit", at(today + timedelta(days=1), 10)),
            ("review", at(today, 11)),
        ):
            WorkItem.objects.create(
                **common, planned_action_id=next(_planned), type=kind, title=kind, due_at=due
            )
    manager = User.objects.create_user("boss", password=PASSWORD, role="manager")
    manager.creditors.add(creditor)
    token = scoped_token(manager, "payments:write")

    def post(loan_id: str, amount: str, paid_on: date, payment_id: str) -> Any:
        body = {
            "payment_id": payment_id,
            "loan_id": loan_id,
            "amount": amount,
            "paid_on": paid_on.isoformat(),
            "channel": "bank",
        }
        return client.post(
            URL,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_IDEMPOTENCY_KEY=payment_id,
        )

    return {"post": post, "manager": manager}


def owed_today(loan_id: str, today: date) -> str:
    """What it takes to bring the loan current today: everything overdue, in yuan."""
    return format_yuan(loan_state(Loan.objects.get(loan_id=loan_id), as_of=today).overdue.total)


def work_of(loan_id: str) -> dict[str, str]:
    items = WorkItem.objects.filter(loan__loan_id=loan_id)
    return {item.type: item.status for item in items}


def sms_of(loan_id: str) -> set[str]:
    """The statuses of the loan's SMS messages."""
    return set(
        OutboxMessage.objects.filter(loan__loan_id=loan_id, channel="sms").values_list(
            "status", flat=True
        )
    )


def test_a_payment_at_ten_bringing_the_loan_current_cancels_the_days_call_and_sms(
    world: dict[str, Any], today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timezone, "now", lambda: at(today, 10))
    assert loan_state(Loan.objects.get(loan_id="CUR-1"), as_of=today).dpd > 0

    answer = world["post"]("CUR-1", owed_today("CUR-1", today), today, "PAY-10AM")

    assert answer.status_code == 201, answer.json()
    assert answer.json()["loan"]["dpd"] == 0
    withdrawn = answer.json()["withdrawn"]
    assert withdrawn["work_items"] == 1 and withdrawn["messages"] >= 1
    # Today's call is withdrawn; tomorrow's visit and the review are left to the cycle,
    # which withdraws them when it closes the case.
    assert work_of("CUR-1") == {"call": "cancelled", "visit": "open", "review": "open"}
    assert sms_of("CUR-1") == {"cancelled"}
    reasons = OutboxMessage.objects.filter(loan__loan_id="CUR-1", channel="sms")
    assert all(reason.startswith("paid") for reason in reasons.values_list("error", flat=True))
    # The other borrower still owes: their work stands.
    assert work_of("CUR-2") == {"call": "open", "visit": "open", "review": "open"}
    assert sms_of("CUR-2") == {"queued"}
    audit = AuditEntry.objects.get(action="case.contacts_withdrawn")
    assert audit.data["reason"] == "paid" and audit.data["payment_id"] == "PAY-10AM"
    # The case closes at the next cycle, not now.
    assert CollectionCase.objects.get(loan__loan_id="CUR-1").status == "open"


def test_a_partial_payment_leaves_the_days_work_as_it_is(
    world: dict[str, Any], today: date
) -> None:
    answer = world["post"]("CUR-1", "1.00", today, "PAY-PART")

    assert answer.status_code == 201 and answer.json()["loan"]["dpd"] > 0
    assert answer.json()["withdrawn"] == {"work_items": 0, "messages": 0}
    assert work_of("CUR-1") == {"call": "open", "visit": "open", "review": "open"}
    assert sms_of("CUR-1") == {"queued"}
    assert not AuditEntry.objects.filter(action="case.contacts_withdrawn").exists()


def test_the_loan_command_and_the_case_page_show_the_payment_at_once(
    world: dict[str, Any], today: date, client: Client
) -> None:
    world["post"]("CUR-1", "250.00", today, "PAY-SEEN")

    out = StringIO()
    call_command("loan", "CUR-1", "--json", stdout=out)
    report = json.loads(out.getvalue())
    replayed = StringIO()
    call_command("loan", "CUR-1", "--json", "--as-of", today.isoformat(), stdout=replayed)
    client.force_login(User.objects.create_superuser("root", password=PASSWORD))
    case = CollectionCase.objects.get(loan__loan_id="CUR-1")
    page = client.get(f"/cases/{case.pk}/").content.decode()

    assert {"payment_id": "PAY-SEEN", "paid_on": today.isoformat(), "amount": "250.00"}.items() <= (
        next(p for p in report["payments"] if p["payment_id"] == "PAY-SEEN").items()
    )
    assert json.loads(replayed.getvalue())["payments"][-1]["payment_id"] == "PAY-SEEN"
    assert "PAY-SEEN" in page and "250.00" in page
    # The stored position predates the payment: the command shows the replay instead, so
    # its amounts already count the money (they equal the --as-of replay's).
    now = json.loads(replayed.getvalue())
    assert report["replayed_since_cycle"] is True
    assert (report["dpd"], report["overdue"]) == (now["dpd"], now["overdue"])


@pytest.mark.parametrize("days_back", [0, 20], ids=["paid-today", "backdated"])
def test_the_cycle_run_again_for_today_agrees_with_the_intraday_replay(
    world: dict[str, Any], today: date, days_back: int
) -> None:
    paid_on = today - timedelta(days=days_back)
    world["post"]("CUR-1", owed_today("CUR-1", today), paid_on, "PAY-FULL")
    world["post"]("CUR-2", "300.00", paid_on, "PAY-SOME")
    intraday = {
        loan_id: loan_state(Loan.objects.get(loan_id=loan_id), as_of=today)
        for loan_id in ("CUR-1", "CUR-2")
    }

    run_cycle(today)

    loans = list(Loan.objects.filter(loan_id__in=["CUR-1", "CUR-2"]))
    assert position_mismatches(loans) == []
    for loan in loans:
        stored = stored_state(loan)
        assert stored is not None and stored.cycle_date == today
        expected = intraday[loan.loan_id]
        assert (stored.state.dpd, stored.state.overdue, stored.state.principal_outstanding) == (
            expected.dpd,
            expected.overdue,
            expected.principal_outstanding,
        )
    cured = CollectionCase.objects.get(loan__loan_id="CUR-1")
    assert (cured.status, cured.closed_on, cured.close_reason) == ("closed", today, "cured")
    assert work_of("CUR-1") == {"call": "cancelled", "visit": "cancelled", "review": "cancelled"}
    assert CollectionCase.objects.get(loan__loan_id="CUR-2").status == "open"


def test_a_backdated_payment_posted_after_yesterdays_cycle_is_replayed_by_todays(
    creditor: Creditor, tmp_path: Path, today: date, client: Client
) -> None:
    book_loans(creditor, tmp_path, "BACK-1")
    run_cycle(today - timedelta(days=1))
    admin = User.objects.create_superuser("root", password=PASSWORD)
    token = scoped_token(admin, "payments:write")
    loan = Loan.objects.get(loan_id="BACK-1")
    first_due = loan.installments.order_by("seq").first()
    assert first_due is not None and first_due.due_on < today

    answer = client.post(
        URL,
        json.dumps(
            {
                "payment_id": "EARLY",
                "loan_id": "BACK-1",
                "amount": format_yuan(first_due.principal + first_due.interest),
                "paid_on": first_due.due_on.isoformat(),
                "channel": "bank",
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY="k-early",
    )
    run_cycle(today)

    assert answer.status_code == 201 and answer.json()["loan"]["dpd"] == 0
    assert position_mismatches([loan]) == []
    stored = stored_state(loan)
    assert stored is not None and stored.state.dpd == 0
    assert stored.state.penalty_accrued == loan_state(loan, as_of=today).penalty_accrued == 0
