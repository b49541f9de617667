"""The time a recorded contact says it happened: never in the future, late only within a
day and only for a role allowed to record late, judged by the gate against that day's
contacts, completing only that day's work; dates outside 1900–2100 refused, naming "at".

The clock is fixed at 16:00 on the business date (Asia/Shanghai), the way the case page's
tests fix it, so every moment below is plain to read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from arrears.accounts.models import User
from arrears.accounts.services import api_token_create
from arrears.cases.models import Activity, CollectionCase, WorkItem
from arrears.compliance.models import ContactAttempt
from arrears.core.errors import InvalidInput
from arrears.portfolio.models import Creditor, Party
from tests.cases.test_activity_record import record
from tests.factories import loan_row
from tests.workbench.test_queue import ON, SHANGHAI, assign, build_cases, people

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 16, 0, tzinfo=SHANGHAI)  # ON, in the afternoon
YESTERDAY = ON - timedelta(days=1)


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """``hour``:``minute`` on ``ON + day_offset`` in Shanghai."""
    return datetime.combine(ON + timedelta(days=day_offset), datetime.min.time(), SHANGHAI).replace(
        hour=hour, minute=minute
    )


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with mock.patch.object(timezone, "now", return_value=NOW):
        yield


@pytest.fixture
def setup(creditor: Creditor, tmp_path: Path) -> tuple[CollectionCase, User, Party]:
    cases = build_cases(creditor, tmp_path, [loan_row("A1", borrower_name="张三")])
    team, me, _other = people(creditor)
    assign(cases["A1"], team, me)
    return cases["A1"], me, Party.objects.get(name="张三")


def refused_at(call: object) -> str:
    """The message of the ``InvalidInput`` naming "at" that ``call()`` raises."""
    with pytest.raises(InvalidInput) as raised:
        call()  # type: ignore[operator]
    assert raised.value.field == "at"
    return str(raised.value)


def test_a_contact_in_the_future_is_refused(setup: tuple[CollectionCase, User, Party]) -> None:
    case, me, party = setup

    message = refused_at(lambda: record(case, me, party, at=NOW + timedelta(minutes=10)))
    a_fast_clock = record(case, me, party, at=NOW + timedelta(minutes=4))

    assert "in the future" in message
    assert a_fast_clock.allowed, "a client clock a few minutes fast is tolerated"  # type: ignore[attr-defined]
    assert Activity.objects.count() == 1


def test_a_contact_more_than_a_day_old_is_refused_even_for_a_team_lead(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, _me, party = setup
    lead = User.objects.create_user("lead", role="team_lead", team=case.team)

    message = refused_at(lambda: record(case, lead, party, at=NOW - timedelta(hours=25)))

    assert "at most 24 hours after it happened" in message
    assert Activity.objects.count() == 0 and ContactAttempt.objects.count() == 0


def test_the_late_window_follows_the_setting(
    setup: tuple[CollectionCase, User, Party], settings: object
) -> None:
    case, me, party = setup
    settings.ARREARS_LATE_CONTACT_HOURS = 2  # type: ignore[attr-defined]

    message = refused_at(lambda: record(case, me, party, at=NOW - timedelta(hours=3)))

    assert "at most 2 hours" in message


def test_a_role_not_allowed_to_record_late_may_only_record_within_half_an_hour(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, _me, party = setup
    auditor = User.objects.create_user("auditor", role="compliance_auditor")

    message = refused_at(lambda: record(case, auditor, party, at=NOW - timedelta(hours=3)))
    wrap_up = record(case, auditor, party, at=NOW - timedelta(minutes=20))

    assert "ask your team lead" in message
    assert wrap_up.allowed  # type: ignore[attr-defined]


def test_a_late_contact_by_an_allowed_role_is_judged_against_its_own_day(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup
    lead = User.objects.create_user("lead", role="team_lead", team=case.team)
    record(case, me, party, at=at(-1, 10), on=YESTERDAY)
    record(case, me, party, at=at(-1, 11), on=YESTERDAY)
    for hour in (9, 10, 11):  # today's three conversations do not count for yesterday
        assert record(case, me, party, at=at(0, hour)).allowed  # type: ignore[attr-defined]

    third = record(case, lead, party, at=at(-1, 20))

    assert third.allowed, third.reasons  # type: ignore[attr-defined]
    stored = Activity.objects.get(pk=third.activity.pk)  # type: ignore[attr-defined]
    assert (stored.at, stored.by) == (at(-1, 20), lead)
    assert stored.created_at == NOW, "the record keeps when it was entered"


def test_a_full_day_refuses_a_late_contact_for_that_day_even_before_its_conversations(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup
    for hour in (17, 18, 19):
        assert record(case, me, party, at=at(-1, hour), on=YESTERDAY).allowed  # type: ignore[attr-defined]

    earlier = record(case, me, party, at=at(-1, 16, 30))  # recorded now for 16:30 yesterday
    later = record(case, me, party, at=at(-1, 20))

    for refused in (earlier, later):
        assert not refused.allowed  # type: ignore[attr-defined]
        assert "3 conversations today already (at most 3)" in refused.reasons  # type: ignore[attr-defined]
    assert Activity.objects.count() == 3
    assert record(case, me, party, at=at(0, 10)).allowed, "today is a new day"  # type: ignore[attr-defined]


def test_after_three_of_three_today_a_late_contact_leaves_todays_work_open(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup
    for hour in (9, 10, 11):
        assert record(case, me, party, at=at(0, hour)).allowed  # type: ignore[attr-defined]
    common = {"case": case, "loan_id": case.loan_id, "party": party, "title": "call"}
    yesterdays = WorkItem.objects.create(
        **common, planned_action_id=1, type="call", due_at=at(-1, 9)
    )
    todays = WorkItem.objects.create(**common, planned_action_id=2, type="call", due_at=at(0, 9))

    result = record(case, me, party, at=at(-1, 19))

    assert result.allowed and result.work_items_done == 1  # type: ignore[attr-defined]
    statuses = dict(WorkItem.objects.values_list("pk", "status"))
    assert (statuses[yesterdays.pk], statuses[todays.pk]) == ("done", "open")


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (datetime(9999, 12, 31, 10, 0, tzinfo=SHANGHAI), "between 1900-01-01 and 2100-12-31"),
        (datetime(1899, 12, 31, 10, 0, tzinfo=SHANGHAI), "between 1900-01-01 and 2100-12-31"),
        (datetime(2027, 1, 5, 10, 0, tzinfo=SHANGHAI), "in the future"),
        (datetime(2000, 1, 1, 10, 0, tzinfo=SHANGHAI), "at most 24 hours"),
    ],
)
def test_years_far_off_are_refused_naming_at(
    setup: tuple[CollectionCase, User, Party], moment: datetime, words: str
) -> None:
    case, me, party = setup

    assert words in refused_at(lambda: record(case, me, party, at=moment))
    assert Activity.objects.count() == 0 and ContactAttempt.objects.count() == 0


def test_a_time_without_its_zone_is_refused_naming_at(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup

    assert "zone" in refused_at(lambda: record(case, me, party, at=datetime(2026, 3, 10, 15)))


def test_the_api_answers_a_year_9999_contact_with_a_client_error_naming_at(
    setup: tuple[CollectionCase, User, Party], client: Client
) -> None:
    case, me, party = setup
    token = api_token_create(user=me, name="t")[1]

    response = client.post(
        f"/api/v1/cases/{case.pk}/contacts",
        {
            "party_id": party.pk,
            "channel": "call",
            "party_reached": "borrower",
            "outcome": "right_party",
            "at": "9999-12-31T10:00:00+08:00",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    # 422 when the API's schema refuses it first, 400 when the service does: never a 500.
    assert response.status_code in (400, 422) and response.json()["field"] == "at"
    assert Activity.objects.count() == 0


def test_a_follow_up_in_year_9999_is_refused_naming_its_field(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup
    west = timezone.get_fixed_timezone(-8 * 60)

    with pytest.raises(InvalidInput) as raised:
        record(case, me, party, next_follow_up_at=datetime(9999, 12, 31, 23, 0, tzinfo=west))

    assert raised.value.field == "next_follow_up_at"
    assert Activity.objects.count() == 0
