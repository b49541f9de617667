"""Matters: opening one restarts limitation and holds the collection channels, events move
it along and its deadlines follow, closing lifts the hold; only the legal desk may."""

from __future__ import annotations

import json
from datetime import date, datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.accounts.models import User
from arrears.cases.models import CollectionCase, WorkItem
from arrears.compliance.models import Hold
from arrears.compliance.services import contact_check
from arrears.core.errors import InvalidInput
from arrears.core.models import AuditEntry
from arrears.legal.models import Matter
from arrears.legal.selectors import deadlines_running
from arrears.legal.services import matter_close, matter_event_record, matter_open
from arrears.portfolio.models import Creditor, LimitationEvent, Loan
from tests.factories import loan_row
from tests.workbench.test_queue import build_cases

pytestmark = pytest.mark.django_db

FILED = date(2026, 3, 12)
DAYTIME = datetime(2026, 3, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def cases(creditor: Creditor, tmp_path: Path) -> dict[str, CollectionCase]:
    return build_cases(
        creditor,
        tmp_path,
        [
            loan_row("L1", borrower_name="张三", borrower_id_number="110101199003074514"),
            loan_row("L2", borrower_name="张三", borrower_id_number="110101199003074514"),
            loan_row("OTHER", borrower_name="李四"),
        ],
    )


@pytest.fixture
def legal_officer() -> User:
    return User.objects.create_user("lawyer1", role="legal_officer")


def allowed(loan: Loan, channel: str) -> tuple[bool, list[str]]:
    party = loan.loan_parties.get(role="borrower").party
    decision = contact_check(loan=loan, party=party, channel=channel, at=DAYTIME)
    return decision.allowed, decision.reason_codes


def test_a_lawsuit_restarts_limitation_and_leaves_only_the_legal_channel(
    cases: dict[str, CollectionCase], legal_officer: User
) -> None:
    loan = cases["L1"].loan
    assert allowed(loan, "call")[0]

    matter = matter_open(
        loan=loan, kind="lawsuit", on=FILED, court="南山区人民法院", user=legal_officer
    )

    event = LimitationEvent.objects.get(loan=loan)
    assert (event.kind, event.occurred_on) == ("legal_action", FILED)
    assert f"#{matter.pk}" in event.evidence
    assert allowed(loan, "call") == (False, ["hold_litigation"])
    assert allowed(loan, "legal")[0]
    assert matter.claim_amount > 0, "the claim on the filing day is kept"
    assert AuditEntry.objects.filter(action="legal.matter_open", subject_id=str(matter.pk)).exists()

    matter_close(matter=matter, outcome="recovered", on=date(2026, 3, 15), user=legal_officer)

    assert allowed(loan, "call")[0], "closing the last matter lifts the hold"


def test_a_lawyer_letter_holds_nothing_and_counts_as_a_demand_once_served(
    cases: dict[str, CollectionCase], legal_officer: User
) -> None:
    loan = cases["L1"].loan
    letter = matter_open(loan=loan, kind="lawyer_letter", on=FILED, user=legal_officer)

    assert allowed(loan, "call")[0] and not LimitationEvent.objects.exists()

    matter_event_record(matter=letter, kind="served", on=date(2026, 3, 14), user=legal_officer)

    assert LimitationEvent.objects.get(loan=loan).kind == "demand"


def test_the_hold_stays_while_another_matter_on_the_loan_is_open(
    cases: dict[str, CollectionCase], legal_officer: User
) -> None:
    loan = cases["L1"].loan
    order = matter_open(loan=loan, kind="payment_order", on=FILED, user=legal_officer)
    keep = matter_open(loan=loan, kind="preservation", on=FILED, user=legal_officer)

    matter_event_record(matter=order, kind="objection", on=date(2026, 3, 14), user=legal_officer)

    order.refresh_from_db()
    assert (order.status, order.outcome) == ("closed", "objected")
    assert allowed(loan, "call") == (False, ["hold_litigation"])
    matter_close(matter=keep, outcome="withdrawn", on=date(2026, 3, 15), user=legal_officer)
    assert not Hold.objects.filter(kind="litigation", lifted_at__isnull=True).exists()


def test_a_matter_covers_one_borrowers_loans(
    cases: dict[str, CollectionCase], legal_officer: User
) -> None:
    matter = matter_open(
        loan=cases["L1"].loan,
        kind="lawsuit",
        on=FILED,
        also=[cases["L2"].loan],
        user=legal_officer,
    )

    assert set(matter.matter_loans.values_list("loan__loan_id", flat=True)) == {"L1", "L2"}
    assert LimitationEvent.objects.count() == 2
    assert not allowed(cases["L2"].loan, "sms")[0]
    with pytest.raises(InvalidInput, match="another borrower"):
        matter_open(
            loan=cases["L1"].loan,
            kind="payment_order",
            on=FILED,
            also=[cases["OTHER"].loan],
            user=legal_officer,
        )


def test_the_same_kind_twice_and_impossible_dates_are_refused(
    cases: dict[str, CollectionCase], legal_officer: User
) -> None:
    loan = cases["L1"].loan
    matter = matter_open(loan=loan, kind="lawsuit", on=FILED, user=legal_officer)

    with pytest.raises(InvalidInput, match="already open"):
        matter_open(loan=loan, kind="lawsuit", on=FILED, user=legal_officer)
    with pytest.raises(InvalidInput, match="disbursed"):
        matter_open(loan=loan, kind="payment_order", on=date(2025, 1, 1), user=legal_officer)
    with pytest.raises(InvalidInput, match="future"):
        matter_event_record(matter=matter, kind="served", on=date(2099, 1, 1))
    with pytest.raises(InvalidInput, match="objection") as refused:
        matter_event_record(matter=matter, kind="objection", on=FILED)
    assert refused.value.field == "kind" and "judgment" in str(refused.value)


def test_only_the_legal_desk_opens_matters(cases: dict[str, CollectionCase]) -> None:
    collector = User.objects.create_user("c1", role="collector")

    with pytest.raises(PermissionDenied, match="legal"):
        matter_open(loan=cases["L1"].loan, kind="lawsuit", on=FILED, user=collector)
    assert not Matter.objects.exists() and not Hold.objects.exists()


def test_the_playbooks_legal_referral_is_done_once_a_matter_is_open(
    cases: dict[str, CollectionCase], legal_officer: User
) -> None:
    case = cases["L1"]
    item = WorkItem.objects.create(
        case=case,
        loan_id=case.loan_id,
        party_id=case.loan.loan_parties.get(role="borrower").party_id,
        planned_action_id=1,
        type="legal_referral",
        queue="legal",
        title="Refer to legal",
        due_at=DAYTIME,
    )

    matter_open(loan=case.loan, kind="lawsuit", on=FILED, user=legal_officer)

    item.refresh_from_db()
    assert item.status == "done" and item.closed_at is not None


def legal(*args: str) -> str:
    out = StringIO()
    call_command("legal", *args, stdout=out)
    return out.getvalue()


def test_the_command_line_walks_a_payment_order_to_its_objection_deadline(
    cases: dict[str, CollectionCase],
) -> None:
    opened = json.loads(
        legal(
            *("matter", "open", "L1", "--kind", "payment_order"),
            *("--court", "南山区人民法院", "--on", "2026-03-12", "--json"),
        )
    )
    matter_id = str(opened["id"])
    assert opened["kind"] == "payment_order" and opened["hold"] is True

    legal("matter", "event", matter_id, "--kind", "served", "--on", "2026-03-20")
    rows = json.loads(legal("deadlines", "--json"))

    objection = next(row for row in rows if row["kind"] == "payment_order_objection")
    assert objection["due_on"] == "2026-04-04" and objection["loan_id"] == "L1"
    assert objection["matter"] == opened["id"] and "227" in objection["rule"]
    assert set(objection) >= {"matter", "loan_id", "kind", "due_on", "rule"}
    # Long past by now and never met: a missed deadline is listed even within 0 days.
    missed = json.loads(legal("deadlines", "--within", "0", "--json"))
    assert [row["kind"] for row in missed if row["days_left"] < 0] == ["payment_order_objection"]


def test_the_command_line_refuses_bad_input_with_exit_code_2(
    cases: dict[str, CollectionCase],
) -> None:
    with pytest.raises(CommandError) as unknown:
        legal("matter", "event", "999", "--kind", "served", "--on", "2026-03-20")
    assert unknown.value.returncode == 2 and "no legal matter #999" in str(unknown.value)
    with pytest.raises(CommandError) as bad_day:
        legal("matter", "open", "L1", "--kind", "lawsuit", "--on", "2026-02-30")
    assert bad_day.value.returncode == 2


def test_the_deadline_list_takes_the_same_queries_for_one_matter_or_twenty(
    cases: dict[str, CollectionCase], legal_officer: User
) -> None:
    loans = [cases["L1"].loan, cases["L2"].loan, cases["OTHER"].loan]
    first = matter_open(loan=loans[0], kind="payment_order", on=FILED, user=legal_officer)
    matter_event_record(matter=first, kind="served", on=FILED, user=legal_officer)
    with CaptureQueriesContext(connection) as one:
        assert len(deadlines_running(today=FILED)) == 2
    for loan in loans[1:]:
        for kind in ("lawsuit", "preservation", "enforcement"):
            other = matter_open(loan=loan, kind=kind, on=FILED, user=legal_officer)
            matter_event_record(matter=other, kind="accepted", on=FILED, user=legal_officer)
    with CaptureQueriesContext(connection) as many:
        assert len(deadlines_running(today=FILED)) > 2
    assert len(many) == len(one)
