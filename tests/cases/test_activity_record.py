"""Recording a contact: the compliance gate runs first; a wrong number invalidates the
point; a promise is taken; a dispute places a hold; the activity is sealed."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from arrears.accounts.models import User
from arrears.cases.models import Activity, CollectionCase, Promise, WorkItem
from arrears.cases.services import activity_digest, activity_record, promise_create
from arrears.compliance.models import ContactAttempt, ContactRefusal, Hold
from arrears.core.errors import InvalidInput
from arrears.core.models import AuditEntry
from arrears.outreach.selectors import case_overview
from arrears.portfolio.models import ContactPoint, Creditor, Party
from arrears.portfolio.services import tape_ingest
from arrears.strategy.models import PlannedAction
from tests.factories import loan_row, write_csv
from tests.workbench.test_queue import ON, SHANGHAI, assign, build_cases, people

pytestmark = pytest.mark.django_db
AT = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def setup(creditor: Creditor, tmp_path: Path) -> tuple[CollectionCase, User, Party]:
    cases = build_cases(creditor, tmp_path, [loan_row("A1", borrower_name="张三")])
    team, me, _other = people(creditor)
    assign(cases["A1"], team, me)
    return cases["A1"], me, Party.objects.get(name="张三")


def record(case: CollectionCase, me: User, party: Party, **fields: object) -> object:
    values: dict[str, object] = {
        "case": case,
        "party": party,
        "channel": "call",
        "party_reached": "borrower",
        "outcome": "right_party",
        "by": me,
        "at": AT,
        "on": ON,
    }
    values.update(fields)
    return activity_record(**values)  # type: ignore[arg-type]


def test_a_call_the_gate_refuses_writes_no_activity_and_says_why(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup

    result = record(case, me, party, at=datetime(2026, 3, 10, 23, 0, tzinfo=SHANGHAI))

    assert not result.allowed and result.activity is None  # type: ignore[attr-defined]
    assert "outside 08:00–22:00" in result.reasons[0]  # type: ignore[attr-defined]
    assert result.next_allowed_at == datetime(2026, 3, 11, 8, 0, tzinfo=SHANGHAI)  # type: ignore[attr-defined]
    assert Activity.objects.count() == 0 and ContactAttempt.objects.count() == 0
    assert ContactRefusal.objects.count() == 1, "the refusal itself is stored"


def test_a_blocked_contact_on_the_page_shows_why_and_records_nothing(
    setup: tuple[CollectionCase, User, Party], client: Client
) -> None:
    case, me, party = setup
    Hold.objects.create(kind="dispute", reason="not my loan", party=party)
    client.force_login(me)

    response = client.post(
        f"/cases/{case.pk}/contacts/",
        {
            "channel": "call",
            "party": party.pk,
            "party_reached": "borrower",
            "outcome": "right_party",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="blocked"' in html
    assert "hold: Dispute (争议)" in html  # the hold's kind by its label
    assert Activity.objects.count() == 0


def test_the_activity_is_sealed_with_the_sha256_of_its_content(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup

    result = record(case, me, party, notes="会在月底还款", reason="cash_flow")

    stored = Activity.objects.get()
    assert stored.sha256 == activity_digest(stored) == result.activity.sha256  # type: ignore[attr-defined]
    assert stored.attempt_id == ContactAttempt.objects.get().pk
    assert CollectionCase.objects.get(pk=case.pk).delinquency_reason == "cash_flow"
    stored.notes = "altered"
    assert activity_digest(stored) != stored.sha256, "an edit shows"


def test_a_wrong_number_marks_the_contact_point_invalid(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup
    point = party.contact_points.get(kind="phone")

    record(
        case, me, party, contact_point=point, outcome="wrong_number", party_reached="third_party"
    )

    assert ContactPoint.objects.get(pk=point.pk).status == "invalid"
    assert ContactAttempt.objects.get().outcome == "no_answer", "not a conversation for the gate"


def test_a_promise_outcome_takes_an_audited_promise(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup

    result = record(
        case,
        me,
        party,
        outcome="promise",
        promise_amount=50_000,
        promise_due_on=ON + timedelta(days=3),
    )

    promise = Promise.objects.get()
    assert result.promise == promise  # type: ignore[attr-defined]
    assert (promise.amount, promise.due_on, promise.tolerance_days) == (
        50_000,
        ON + timedelta(days=3),
        2,
    )
    assert promise.activity_id == Activity.objects.get().pk
    assert AuditEntry.objects.filter(action="promise.create", subject_id=str(case.pk)).exists()


def test_a_promise_without_an_amount_is_refused_with_a_field_error(
    setup: tuple[CollectionCase, User, Party], client: Client
) -> None:
    case, me, party = setup
    with pytest.raises(InvalidInput) as raised:
        record(case, me, party, outcome="promise", promise_due_on=ON)
    assert raised.value.field == "promise_amount"
    client.force_login(me)

    response = client.post(
        f"/cases/{case.pk}/contacts/",
        {
            "channel": "call",
            "party": party.pk,
            "party_reached": "borrower",
            "outcome": "promise",
            "promise_amount": "12.345",
            "promise_due_on": "2026-03-12",
        },
    )

    assert response.status_code == 400
    assert 'data-field="promise_amount"' in response.content.decode()
    assert Activity.objects.count() == 0


def test_a_new_promise_replaces_the_open_one(setup: tuple[CollectionCase, User, Party]) -> None:
    case, me, party = setup
    first = promise_create(
        case=case, party=party, amount=10_000, due_on=ON + timedelta(days=2), by=me, on=ON
    )

    promise_create(
        case=case, party=party, amount=20_000, due_on=ON + timedelta(days=5), by=me, on=ON
    )

    assert Promise.objects.get(pk=first.pk).status == "cancelled"
    assert Promise.objects.filter(status="open").get().amount == 20_000


def test_a_dispute_places_a_hold_that_stops_the_next_call(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup

    result = record(case, me, party, outcome="dispute", notes="says the loan is not theirs")
    after = record(case, me, party, at=AT + timedelta(hours=1))

    hold = Hold.objects.get()
    assert result.hold == hold and (hold.kind, hold.party_id) == ("dispute", party.pk)  # type: ignore[attr-defined]
    assert AuditEntry.objects.filter(action="hold.place").count() == 1
    assert not after.allowed and "hold: dispute" in after.reasons  # type: ignore[attr-defined]


def test_a_call_closes_the_work_items_for_that_party_due_today(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup
    common = {"case": case, "loan_id": case.loan_id, "party": party, "title": "call"}
    due = WorkItem.objects.create(
        **common, planned_action_id=1, type="call", due_at=AT - timedelta(hours=1)
    )
    later = WorkItem.objects.create(
        **common, planned_action_id=2, type="call", due_at=AT + timedelta(days=1)
    )
    visit = WorkItem.objects.create(**common, planned_action_id=3, type="visit", due_at=AT)

    record(case, me, party)

    statuses = dict(WorkItem.objects.values_list("pk", "status"))
    assert (statuses[due.pk], statuses[later.pk], statuses[visit.pk]) == ("done", "open", "open")


def test_recording_a_contact_on_the_page_shows_it_on_the_timeline(
    setup: tuple[CollectionCase, User, Party], client: Client
) -> None:
    case, me, party = setup
    client.force_login(me)

    with mock.patch.object(timezone, "now", return_value=AT):
        response = client.post(
            f"/cases/{case.pk}/contacts/",
            {
                "channel": "visit",
                "party": party.pk,
                "party_reached": "borrower",
                "outcome": "hardship",
                "reason": "unemployment_or_illness",
                "notes": "lost job in February",
                "staff": "2",
            },
            follow=True,
        )

    html = response.content.decode()
    assert "lost job in February" in html and Activity.objects.get().outcome == "hardship"
    assert not Hold.objects.exists(), "hardship has no compliance hold of its own"


def test_a_visit_by_one_person_is_refused_by_the_gate(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup

    alone = record(case, me, party, channel="visit")
    paired = record(case, me, party, channel="visit", staff=2)

    assert not alone.allowed and "a visit needs at least 2 staff" in alone.reasons  # type: ignore[attr-defined]
    assert paired.allowed and Activity.objects.get().channel == "visit"  # type: ignore[attr-defined]


def test_a_role_without_the_capability_may_not_record(
    setup: tuple[CollectionCase, User, Party], client: Client
) -> None:
    case, _me, party = setup
    auditor = User.objects.create_user(
        "auditor", password="a-long-unique-pass", role="compliance_auditor"
    )
    auditor.creditors.add(case.creditor)
    client.force_login(auditor)

    response = client.post(f"/cases/{case.pk}/contacts/", {"channel": "call", "party": party.pk})

    assert response.status_code == 403


def test_a_recorded_call_carries_out_the_strategys_planned_call(
    creditor: Creditor, tmp_path: Path
) -> None:
    tape_ingest(
        creditor=creditor,
        kind="loans",
        path=write_csv(
            tmp_path / "l.csv",
            [loan_row("PLAN1", borrower_name="计划中", guarantee_type="guarantee")],
        ),
    )
    call_command("cycle", "--date", ON.isoformat(), "--json", stdout=StringIO())
    item = WorkItem.objects.filter(type="call", status="open").select_related("case").first()
    assert item is not None, "the playbook plans a call for the borrower on this day"
    team, me, _ = people(creditor)
    assign(item.case, team, me)

    record(item.case, me, Party.objects.get(pk=item.party_id))

    planned = PlannedAction.objects.get(pk=item.planned_action_id)
    overview = case_overview(item.case.loan)
    [action] = [
        a
        for a in overview["actions"]
        if (a["date"], a["type"], a["rule"]) == (ON.isoformat(), "call", planned.rule)
        and a["target_role"] == planned.target_role
    ]
    assert action["status"] == "done"
    item.refresh_from_db()
    assert item.status == "done"
