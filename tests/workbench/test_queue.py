"""My queue: promises first, then tasks and follow-ups due, then the score; filters and
search; a fixed number of queries however many cases there are."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arrears.accounts.models import Team, User
from arrears.cases.models import Activity, CollectionCase, Promise, WorkItem
from arrears.portfolio.models import Creditor, Party
from arrears.portfolio.services import tape_ingest
from arrears.workbench.selectors.queue import queue_for
from tests.factories import loan_row, valid_phone, write_csv

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 10)
SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "a-long-unique-pass"


def build_cases(
    creditor: Creditor, tmp_path: Path, rows: list[dict[str, str]], *, on: date = ON
) -> dict[str, CollectionCase]:
    """Import ``rows``, close business day ``on`` so each overdue loan has an open case, and
    clear the cycle's work items so each test sets up the work it is about."""
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", rows))
    call_command("cycle", "--date", on.isoformat(), "--json", stdout=StringIO())
    WorkItem.objects.all().delete()
    return {case.loan.loan_id: case for case in CollectionCase.objects.select_related("loan")}


def people(creditor: Creditor) -> tuple[Team, User, User]:
    team = Team.objects.create(name="M1 team", creditor=creditor, buckets="M1")
    me = User.objects.create_user("collector1", password=PASSWORD, role="collector", team=team)
    other = User.objects.create_user("collector2", password=PASSWORD, role="collector", team=team)
    return team, me, other


def assign(case: CollectionCase, team: Team, user: User | None) -> None:
    case.team, case.assignee = team, user
    case.save(update_fields=["team", "assignee"])


def promise(case: CollectionCase, by: User, **fields: object) -> Promise:
    party_id = case.loan.loan_parties.get(role="borrower").party_id
    values: dict[str, object] = {
        "case": case,
        "loan_id": case.loan_id,
        "party_id": party_id,
        "amount": 10_000,
        "made_on": ON - timedelta(days=5),
        "due_on": ON,
        "by": by,
    }
    values.update(fields)
    return Promise.objects.create(**values)


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path) -> dict[str, object]:
    rows = [
        # Same schedule, different amounts: the bigger loan owes more overdue.
        loan_row("SMALL", principal="12,000.00", borrower_name="王小"),
        loan_row("BIG", principal="240,000.00", borrower_name="李大"),
        loan_row("PROMISED", borrower_name="赵诺"),
        loan_row("BROKEN", borrower_name="钱违"),
        loan_row("TASK", borrower_name="孙任"),
        loan_row("POOL", principal="480,000.00", borrower_name="周池"),
        loan_row("ELSEWHERE", borrower_name="吴别", product="CARD"),
    ]
    cases = build_cases(creditor, tmp_path, rows)
    team, me, other = people(creditor)
    for loan_id in ("SMALL", "BIG", "PROMISED", "BROKEN", "TASK"):
        assign(cases[loan_id], team, me)
    assign(cases["POOL"], team, None)
    assign(cases["ELSEWHERE"], team, other)
    return {"cases": cases, "team": team, "me": me, "other": other}


def order(user: User, **filters: object) -> list[str]:
    return [row.loan_id for row in queue_for(user=user, on=ON, filters=filters)]


def broken_promise(case: CollectionCase, by: User) -> Promise:
    """A promise the cycle found broken yesterday, due four days ago."""
    return promise(
        case, by, status="broken", due_on=ON - timedelta(days=4), resolved_on=ON - timedelta(days=1)
    )


def follow_up_today(case: CollectionCase, by: User) -> Activity:
    """Yesterday's call on ``case`` whose follow-up is due this afternoon."""
    return Activity.objects.create(
        case=case,
        party_id=case.loan.loan_parties.get(role="borrower").party_id,
        channel="call",
        party_reached="borrower",
        outcome="right_party",
        next_follow_up_at=datetime(2026, 3, 10, 15, tzinfo=SHANGHAI),
        by=by,
        at=datetime(2026, 3, 9, 10, tzinfo=UTC),
        sha256="0" * 64,
    )


def test_promises_come_first_then_tasks_then_the_biggest_amount(
    world: dict[str, object],
) -> None:
    cases, me = world["cases"], world["me"]
    assert isinstance(cases, dict) and isinstance(me, User)
    promise(cases["PROMISED"], me)
    broken_promise(cases["BROKEN"], me)
    WorkItem.objects.create(
        case=cases["TASK"],
        loan_id=cases["TASK"].loan_id,
        party_id=cases["TASK"].loan.loan_parties.get(role="borrower").party_id,
        planned_action_id=1,
        type="call",
        title="call",
        due_at=datetime(2026, 3, 10, 9, tzinfo=SHANGHAI),
    )

    queue = order(me)

    assert queue[:2] in (["PROMISED", "BROKEN"], ["BROKEN", "PROMISED"])
    assert queue[2] == "TASK"
    assert queue[3:] == ["BIG", "SMALL", "POOL"], "own cases by score, then the team pool"
    assert "ELSEWHERE" not in queue, "another collector's case is not on my queue"


def test_the_statements_compiled_once_answer_as_the_ones_built_per_page(
    world: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    cases, me, other = world["cases"], world["me"], world["other"]
    assert isinstance(cases, dict) and isinstance(me, User) and isinstance(other, User)
    promise(cases["PROMISED"], me)
    broken_promise(cases["BROKEN"], me)
    follow_up_today(cases["SMALL"], me)
    # Compiled for one collector first: the next reader of the same shape gets their own.
    frozen = {user.pk: queue_for(user=user, on=ON) for user in (other, me)}
    assert {row.loan_id for row in frozen[me.pk]} >= {"PROMISED", "BROKEN", "SMALL", "POOL"}

    monkeypatch.setattr("arrears.workbench.selectors.queue.FROZEN_PAGES", 0)
    for user in (other, me):
        built = queue_for(user=user, on=ON)
        assert list(built) == list(frozen[user.pk])
        assert (built.total, built.pages) == (frozen[user.pk].total, frozen[user.pk].pages)


def test_a_broken_promise_with_a_newer_promise_no_longer_heads_the_queue(
    world: dict[str, object],
) -> None:
    cases, me = world["cases"], world["me"]
    assert isinstance(cases, dict) and isinstance(me, User)
    broken_promise(cases["BROKEN"], me)
    promise(cases["BROKEN"], me, due_on=ON + timedelta(days=5))

    rows = queue_for(user=me, on=ON)

    broken = next(row for row in rows if row.loan_id == "BROKEN")
    assert broken.tier == 3 and broken.promise_due_on == ON + timedelta(days=5)


def test_a_follow_up_due_today_puts_the_case_in_tier_two(world: dict[str, object]) -> None:
    cases, me = world["cases"], world["me"]
    assert isinstance(cases, dict) and isinstance(me, User)
    follow_up_today(cases["SMALL"], me)

    rows = queue_for(user=me, on=ON)

    assert rows[0].loan_id == "SMALL" and rows[0].tier == 2 and rows[0].follow_up_due


def test_the_queue_filters_by_tier_bucket_product_and_promise(world: dict[str, object]) -> None:
    cases, me, other = world["cases"], world["me"], world["other"]
    assert isinstance(cases, dict) and isinstance(me, User) and isinstance(other, User)
    promise(cases["PROMISED"], me, due_on=ON + timedelta(days=3))

    assert order(me, has_promise="1") == ["PROMISED"]
    assert order(me, tier="1") == []
    assert order(me, bucket="M2") == []
    assert len(order(me, bucket="m1")) == 6
    assert order(other, product="CARD") == ["ELSEWHERE"]


def test_search_finds_a_case_by_name_loan_id_phone_or_id_number(
    world: dict[str, object],
) -> None:
    me = world["me"]
    assert isinstance(me, User)
    borrower = Party.objects.get(name="李大")
    phone = borrower.contact_points.get(kind="phone").value

    def found(text: str) -> list[str]:
        return [row.loan_id for row in queue_for(user=me, on=ON, search=text)]

    assert found("李") == ["BIG"]
    assert found("TASK") == ["TASK"]
    assert found(phone) == ["BIG"]
    assert found(borrower.id_number) == ["BIG"]
    assert found(phone[:7]) == [], "a phone is matched whole, never by a fragment"
    assert found("吴别") == [], "search stays inside my scope"


def test_a_bad_tier_is_a_field_error_on_the_page(world: dict[str, object], client: Client) -> None:
    me = world["me"]
    assert isinstance(me, User)
    client.force_login(me)

    response = client.get("/queue/", {"tier": "9"})

    assert response.status_code == 400
    assert 'data-field="tier"' in response.content.decode()


def test_the_queue_page_shows_my_cases_and_a_next_case_button(
    world: dict[str, object], client: Client
) -> None:
    me = world["me"]
    assert isinstance(me, User)
    client.force_login(me)

    page = client.get("/queue/").content.decode()
    following = client.get("/queue/next/")

    assert "李大" in page and 'data-testid="next-case"' in page
    assert "吴别" not in page
    assert following.status_code == 302 and following["Location"].startswith("/cases/")


def test_each_row_shows_its_case_link_reasons_and_amounts_with_names_escaped(
    world: dict[str, object], client: Client
) -> None:
    cases, me = world["cases"], world["me"]
    assert isinstance(cases, dict) and isinstance(me, User)
    # The page's business day is today's (the promise made on it, not on ``ON``).
    today = timezone.localdate()
    promise(cases["PROMISED"], me, made_on=today, due_on=today)
    pool = cases["POOL"]
    borrower = Party.objects.filter(loan_roles__loan_id=pool.loan_id, loan_roles__role="borrower")
    borrower.update(name='<b>周&"池"</b>')
    client.force_login(me)

    page = client.get("/queue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    promised = cases["PROMISED"]
    row = page[page.index(f'<tr data-case="{promised.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-tier="1"' in row and f'href="/cases/{promised.pk}/"' in row
    assert "promise due today" in row and ">PROMISED</a>" in row
    pool_row = page[page.index(f'<tr data-case="{pool.pk}"') :]
    pool_row = pool_row[: pool_row.index("</tr>")]
    assert "&lt;b&gt;周&amp;&quot;池&quot;&lt;/b&gt;" in pool_row and "<b>" not in pool_row
    assert "team pool" in pool_row, "an unassigned case says whose it is"
    overdue = queue_for(user=me, on=today)[0].overdue_yuan
    assert f'<td class="text-end overdue">{overdue}</td>' in page


def test_the_home_page_sends_a_collector_to_the_queue(
    world: dict[str, object], client: Client
) -> None:
    me = world["me"]
    assert isinstance(me, User)
    client.force_login(me)

    assert client.get("/")["Location"] == "/queue/"


def test_roles_without_a_queue_are_refused(world: dict[str, object], client: Client) -> None:
    client.force_login(
        User.objects.create_user("auditor", password=PASSWORD, role="compliance_auditor")
    )

    assert client.get("/queue/").status_code == 403
    assert client.get("/queue/next/").status_code == 403


def test_the_queue_takes_two_queries_however_many_cases(
    creditor: Creditor, tmp_path: Path, django_assert_num_queries: object
) -> None:
    cases = build_cases(
        creditor, tmp_path, [loan_row(f"Q{n}", borrower_phone=valid_phone()) for n in range(60)]
    )
    team, me, _other = people(creditor)
    few = list(cases.values())[:4]
    for case in few:
        assign(case, team, me)

    with CaptureQueriesContext(connection) as small:
        queue_for(user=me, on=ON)
    for case in cases.values():
        assign(case, team, me)
        promise(case, me, due_on=ON + timedelta(days=2))
    with CaptureQueriesContext(connection) as large:
        rows = queue_for(user=me, on=ON, filters={"page": "2"})

    assert len(small.captured_queries) == len(large.captured_queries) == 2
    assert rows.total == 60 and rows.pages == 2 and len(rows) == 10


def test_the_order_reads_each_cases_position_by_its_loan_id_without_the_loan(
    creditor: Creditor, tmp_path: Path
) -> None:
    # At 1,000,000 loans the hop through portfolio_loan was a third of the order's work:
    # three index pages for every case of the collector's scope, on every queue page.
    cases = build_cases(creditor, tmp_path, [loan_row(f"J{n}") for n in range(3)])
    team, me, _other = people(creditor)
    for case in cases.values():
        assign(case, team, me)

    with CaptureQueriesContext(connection) as captured:
        rows = queue_for(user=me, on=ON)

    order = captured.captured_queries[0]["sql"]
    assert '"portfolio_loan"' not in order
    assert '"cases_collectioncase"."loan_id" = "cycle_loanposition"."loan_id"' in order
    assert rows.total == 3 and all(row.overdue > 0 for row in rows)  # read through the join


def test_a_page_past_the_end_shows_the_last_page_and_an_empty_queue_says_so(
    creditor: Creditor, tmp_path: Path
) -> None:
    cases = build_cases(
        creditor, tmp_path, [loan_row(f"Q{n}", borrower_phone=valid_phone()) for n in range(55)]
    )
    team, me, other = people(creditor)
    for case in cases.values():
        assign(case, team, me)

    past = queue_for(user=me, on=ON, filters={"page": "7"})
    first = queue_for(user=me, on=ON)

    assert (past.page, past.pages, past.total, len(past)) == (2, 2, 55, 5)
    assert [row.case_id for row in first][-1] not in {row.case_id for row in past}
    nothing = queue_for(user=other, on=ON, filters={"page": "3"})
    assert (nothing.page, nothing.pages, nothing.total, len(nothing)) == (1, 1, 0, 0)
