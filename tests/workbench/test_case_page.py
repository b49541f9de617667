"""The case page: parties masked with validity, amounts by component in yuan, strategy,
holds, one timeline newest first, today's compliance standing; 404 outside the scope; a
fixed number of queries however long the history."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arrears.accounts.models import Team, User
from arrears.cases.models import CollectionCase, Promise
from arrears.cases.services import activity_record, case_hold_place
from arrears.compliance.models import CompliancePolicy, ContactAttempt
from arrears.core.errors import NotFound
from arrears.core.money import format_yuan_grouped
from arrears.portfolio.models import BlacklistEntry, Creditor, LoanParty, Party
from arrears.portfolio.selectors import loan_state
from arrears.workbench.selectors.case_compliance import ComplianceToday
from arrears.workbench.selectors.case_page import CasePage, case_page
from arrears.workbench.selectors.case_presence import presence_of
from tests.factories import loan_row, valid_id, valid_phone
from tests.workbench.test_queue import ON, PASSWORD, SHANGHAI, assign, build_cases, people

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 11, 0, tzinfo=SHANGHAI)


@pytest.fixture
def setup(creditor: Creditor, tmp_path: Path) -> tuple[CollectionCase, Team, User, User]:
    cases = build_cases(
        creditor,
        tmp_path,
        [
            loan_row(
                "P1",
                borrower_name="张三",
                guarantor_name="李四",
                guarantor_id_number=valid_id(),
                guarantor_phone=valid_phone(),
            ),
            loan_row("OTHER", borrower_name="别人"),
        ],
    )
    team, me, other = people(creditor)
    assign(cases["P1"], team, me)
    other_team = Team.objects.create(name="M2 team", creditor=creditor, buckets="M2")
    assign(cases["OTHER"], other_team, None)
    return cases["P1"], team, me, other


def call(case: CollectionCase, me: User, at: datetime, **fields: object) -> object:
    borrower = Party.objects.get(name="张三")
    values: dict[str, object] = {
        "case": case,
        "party": borrower,
        "channel": "call",
        "party_reached": "borrower",
        "outcome": "right_party",
        "by": me,
        "at": at,
        "on": ON,
    }
    values.update(fields)
    return activity_record(**values)  # type: ignore[arg-type]


def test_the_page_shows_parties_masked_with_amounts_in_yuan_and_compliance_today(
    setup: tuple[CollectionCase, Team, User, User],
) -> None:
    case, _team, me, _other = setup
    call(case, me, NOW - timedelta(hours=1))

    page = case_page(user=me, case_id=case.pk, on=ON, now=NOW)

    borrower = next(p for p in page.parties if p.role == "borrower")
    guarantor = next(p for p in page.parties if p.role == "guarantor")
    phone = Party.objects.get(name="张三").contact_points.get(kind="phone").value
    mobile = phone.removeprefix("+86")  # stored in E.164, shown as the 11 national digits
    assert borrower.contact_points[0].masked == mobile[:3] + "****" + mobile[-4:]
    assert "*" in borrower.id_masked and guarantor.name == "李四"
    # First due 2026-02-28, 120,000 over 12 months at 12 %: one installment overdue.
    assert page.dpd == 10 and page.bucket == "M1"
    assert page.overdue.principal > 0 and page.overdue.interest > 0
    expected = loan_state(case.loan, as_of=ON).overdue
    assert (page.overdue.principal, page.overdue.penalty) == (expected.principal, expected.penalty)
    assert page.overdue.yuan()["total"] == format_yuan_grouped(expected.total)
    assert borrower.compliance.calls_used == 1 and borrower.compliance.calls_cap == 3
    assert borrower.compliance.allowed_now
    assert page.classification and page.limitation_expires_on is not None


def test_after_three_conversations_the_page_says_when_the_next_call_is_allowed(
    setup: tuple[CollectionCase, Team, User, User],
) -> None:
    case, _team, me, _other = setup
    for hour in (9, 10, 11):
        call(case, me, datetime(2026, 3, 10, hour, tzinfo=SHANGHAI))

    page = case_page(
        user=me, case_id=case.pk, on=ON, now=datetime(2026, 3, 10, 12, tzinfo=SHANGHAI)
    )

    standing = next(p for p in page.parties if p.role == "borrower").compliance
    assert (standing.calls_used, standing.calls_cap, standing.allowed_now) == (3, 3, False)
    assert standing.next_allowed_label == "03-11 08:00"


def test_the_timeline_holds_activities_promises_and_holds_newest_first(
    setup: tuple[CollectionCase, Team, User, User],
) -> None:
    case, _team, me, _other = setup
    call(
        case,
        me,
        datetime(2026, 3, 10, 9, tzinfo=SHANGHAI),
        outcome="promise",
        promise_amount=50_000,
        promise_due_on=ON + timedelta(days=3),
    )
    case_hold_place(case=case, kind="complaint", reason="complained to the regulator", by=me)

    page = case_page(user=me, case_id=case.pk, on=ON, now=NOW)

    kinds = [entry.kind for entry in page.timeline]
    assert kinds[0] == "hold"
    assert {"activity", "promise", "hold"} <= set(kinds)
    assert any("500.00" in e.title and "2026-03-13" in e.title for e in page.timeline)
    assert [h.kind for h in page.holds] == ["complaint"]
    assert [e.at for e in page.timeline] == sorted((e.at for e in page.timeline), reverse=True)


def test_a_case_outside_the_scope_is_not_found(
    setup: tuple[CollectionCase, Team, User, User], client: Client
) -> None:
    _case, _team, me, other = setup
    elsewhere = CollectionCase.objects.get(loan__loan_id="OTHER")

    with pytest.raises(NotFound):
        case_page(user=me, case_id=elsewhere.pk, on=ON, now=NOW)
    client.force_login(me)
    assert client.get(f"/cases/{elsewhere.pk}/").status_code == 404
    assert client.get("/cases/999999/").status_code == 404
    client.force_login(other)
    assert client.get(f"/cases/{_case.pk}/").status_code == 404, "another collector's case"


def test_the_case_page_renders_with_the_contact_form_and_links_to_plans(
    setup: tuple[CollectionCase, Team, User, User], client: Client
) -> None:
    case, _team, me, _other = setup
    client.force_login(me)

    html = client.get(f"/cases/{case.pk}/").content.decode()

    assert 'data-testid="contact-form"' in html and 'data-testid="timeline"' in html
    assert f"/cases/{case.pk}/plans/new/" in html and f"/cases/{case.pk}/settlements/new/" in html
    assert "张三" in html and "李四" in html
    phone = Party.objects.get(name="张三").contact_points.get(kind="phone").value
    assert phone not in html, "phones are masked on the page"


def test_the_case_page_query_count_does_not_grow_with_its_history(
    setup: tuple[CollectionCase, Team, User, User],
) -> None:
    case, _team, me, _other = setup
    with CaptureQueriesContext(connection) as short:
        case_page(user=me, case_id=case.pk, on=ON, now=NOW)
    for hour in (9, 10):
        call(case, me, datetime(2026, 3, 10, hour, tzinfo=SHANGHAI), outcome="no_answer")
    call(
        case,
        me,
        datetime(2026, 3, 10, 10, 30, tzinfo=SHANGHAI),
        outcome="promise",
        promise_amount=10_000,
        promise_due_on=ON + timedelta(days=2),
    )
    case_hold_place(case=case, kind="dispute", reason="says the loan is not theirs", by=me)
    with CaptureQueriesContext(connection) as long:
        page = case_page(user=me, case_id=case.pk, on=ON, now=NOW)

    assert len(page.timeline) >= 4 and Promise.objects.count() == 1
    assert ContactAttempt.objects.count() == 3
    # Contacts, a promise and a hold add their parts' reads once each (``case_presence``:
    # a case without them skips them), not a read per row.
    assert len(short.captured_queries) + 3 == len(long.captured_queries) <= 20
    for hour in (11, 12):
        call(case, me, datetime(2026, 3, 10, hour, tzinfo=SHANGHAI), outcome="no_answer")
    with CaptureQueriesContext(connection) as longer:
        case_page(user=me, case_id=case.pk, on=ON, now=NOW)
    assert len(longer.captured_queries) == len(long.captured_queries)


def test_a_contact_persons_standing_waits_until_the_borrower_is_unreachable(
    setup: tuple[CollectionCase, Team, User, User],
) -> None:
    case, _team, me, _other = setup
    friend = Party.objects.create(creditor=case.loan.creditor, name="王五")
    LoanParty.objects.create(loan=case.loan, party=friend, role="contact_person")
    with CaptureQueriesContext(connection) as reading:
        reachable = case_page(user=me, case_id=case.pk, on=ON, now=NOW)
    for hour in (8, 9, 10):
        call(case, me, datetime(2026, 3, 10, hour, 30, tzinfo=SHANGHAI), outcome="no_answer")
    unreachable = case_page(user=me, case_id=case.pk, on=ON, now=NOW)

    def standing(page: CasePage) -> ComplianceToday:
        return next(p for p in page.parties if p.role == "contact_person").compliance

    assert not standing(reachable).allowed_now
    assert any("the debtor is reachable" in reason for reason in standing(reachable).reasons)
    assert standing(unreachable).allowed_now, "three unanswered calls: the borrower is unreachable"
    assert len(reading.captured_queries) <= 21


def test_the_standing_keeps_the_quiet_holidays_of_the_moment_asked_about(
    setup: tuple[CollectionCase, Team, User, User],
) -> None:
    case, _team, me, _other = setup
    CompliancePolicy.objects.create(creditor=case.loan.creditor, quiet_public_holidays=True)

    # The holidays are those around the moment in the debtor's calendar (National Day),
    # whatever business date the page is asked for.
    page = case_page(
        user=me, case_id=case.pk, on=ON, now=datetime(2026, 10, 2, 10, tzinfo=SHANGHAI)
    )

    standing = next(p for p in page.parties if p.role == "borrower").compliance
    assert (standing.allowed_now, standing.next_allowed_label) == (False, "10-08 08:00")


def test_a_team_lead_sees_the_teams_case_and_a_manager_without_the_portfolio_does_not(
    setup: tuple[CollectionCase, Team, User, User], client: Client
) -> None:
    case, team, _me, _other = setup
    lead = User.objects.create_user("lead", password=PASSWORD, role="team_lead", team=team)
    manager = User.objects.create_user("manager", password=PASSWORD, role="manager")

    client.force_login(lead)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    client.force_login(manager)
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_the_page_reads_the_contacts_once_for_its_timeline_and_its_calls(
    setup: tuple[CollectionCase, Team, User, User], client: Client
) -> None:
    case, _team, me, _other = setup
    call(case, me, NOW - timedelta(hours=1), notes="asked for a week")
    client.force_login(me)

    with CaptureQueriesContext(connection) as captured:
        html = client.get(f"/cases/{case.pk}/").content.decode()

    assert html.count('data-testid="quality-call"') == 1, "the call is in the calls panel"
    assert "asked for a week" in html, "and on the timeline"
    # (The statement that tells which parts of the case have rows names every table.)
    contacts = [
        q
        for q in captured.captured_queries
        if 'FROM "cases_activity"' in q["sql"] and not q["sql"].startswith("SELECT EXISTS")
    ]
    assert len(contacts) == 1


# The parts of a case the page reads (``case_presence``): a part with a row is never
# skipped, whether the row is on the case, its loan or one of the loan's parties.
def parts(case: CollectionCase) -> set[str]:
    return set(presence_of(case_id=case.pk, loan_id=case.loan_id).present)


def test_the_page_reads_the_parts_of_a_case_that_has_them_and_skips_the_rest(
    setup: tuple[CollectionCase, Team, User, User],
) -> None:
    case, _team, me, _other = setup
    before = parts(case)
    assert not before & {"activities", "promises", "holds", "blacklist", "matters", "visits"}
    with CaptureQueriesContext(connection) as fresh:
        case_page(user=me, case_id=case.pk, on=ON, now=NOW)
    call(
        case,
        me,
        NOW - timedelta(hours=1),
        outcome="promise",
        promise_amount=5_000,
        promise_due_on=ON + timedelta(days=3),
    )
    with CaptureQueriesContext(connection) as worked:
        page = case_page(user=me, case_id=case.pk, on=ON, now=NOW)

    assert parts(case) == before | {"activities", "promises"}
    assert page.open_promise is not None and len(page.activities) == 1
    # The contacts' and the promises' reads, skipped while the case had none.
    assert len(worked.captured_queries) == len(fresh.captured_queries) + 2


def test_a_hold_on_a_party_of_the_loan_alone_counts(
    setup: tuple[CollectionCase, Team, User, User],
) -> None:
    case, _team, me, _other = setup
    guarantor = Party.objects.get(name="李四")
    assert "holds" not in parts(case)
    case_hold_place(
        case=case, kind="dispute", reason="disputes the guarantee", by=me, party=guarantor
    )

    page = case_page(user=me, case_id=case.pk, on=ON, now=NOW)

    assert "holds" in parts(case)
    shown = next(p for p in page.parties if p.role == "guarantor")
    assert [hold.reason for hold in shown.holds] == ["disputes the guarantee"]


def test_a_blacklisted_party_shows_on_the_case_page(
    setup: tuple[CollectionCase, Team, User, User],
    client: Client,
) -> None:
    case, _team, me, _other = setup
    guarantor = Party.objects.get(name="李四")
    before = parts(case)
    BlacklistEntry.objects.create(
        party=guarantor, reason="forged documents", proposed_by=me, proposed_at=timezone.now()
    )
    client.force_login(me)

    html = client.get(f"/cases/{case.pk}/").content.decode()

    assert parts(case) == before | {"blacklist"}
    assert "forged documents" in html
