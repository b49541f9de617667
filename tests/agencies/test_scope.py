"""Who sees a placed case: the agency's collectors exactly the open cases placed with their
agency (queue, case page, loan page, API), nothing once recalled; the lender's collector no
longer while it is placed; and an agency call counts toward the debtor's daily cap."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client

from arrears.accounts.models import User
from arrears.accounts.services import api_token_create
from arrears.agencies.services import placement_create, placement_recall
from arrears.cases.scoping import cases_visible_to
from arrears.cases.services import activity_record
from arrears.portfolio.models import Party
from tests.agencies.conftest import PLACED, World
from tests.workbench.test_queue import ON, SHANGHAI

pytestmark = pytest.mark.django_db


def _visible(user: User) -> set[str]:
    return set(cases_visible_to(user).values_list("loan__loan_id", flat=True))


def test_the_agency_collector_sees_only_the_cases_placed_with_their_agency(world: World) -> None:
    assert _visible(world.agent) == set()

    placement_create(case=world.cases["A1"], agency=world.agency, on=PLACED, by=world.lead)
    world.other_agency.contracts.create(
        creditor=world.creditor, reference="YF-1", valid_from=PLACED, placement_days=60
    ).rates.create(bucket="M1", rate_bp=900)
    placement_create(case=world.cases["A2"], agency=world.other_agency, on=PLACED, by=None)

    assert _visible(world.agent) == {"A1"}


def test_an_agency_collector_without_an_agency_sees_nothing(world: World) -> None:
    placement_create(case=world.cases["A1"], agency=world.agency, on=PLACED, by=world.lead)
    lost = User.objects.create_user("lost", role="agency_collector")

    assert _visible(lost) == set()


def test_the_in_house_collector_no_longer_sees_a_placed_case_and_sees_it_after_recall(
    world: World,
) -> None:
    placement = placement_create(
        case=world.cases["A1"], agency=world.agency, on=PLACED, by=world.lead
    )

    assert _visible(world.collector) == {"A2", "A3", "A4"}
    assert "A1" in _visible(world.lead), "the team lead still sees it, to recall it"

    placement_recall(placement=placement, on=PLACED + timedelta(days=2), reason="manual", by=None)

    assert _visible(world.agent) == set(), "recalled: the agency loses it"
    assert "A1" in _visible(world.collector), "back in the team's pool"


def test_pages_and_api_answer_not_found_outside_the_agencys_cases(
    world: World, client: Client
) -> None:
    placed, other = world.cases["A1"], world.cases["A2"]
    placement_create(case=placed, agency=world.agency, on=PLACED, by=world.lead)
    client.force_login(world.agent)

    queue = client.get("/queue/").content.decode()
    # Rows are told apart by their case id: a bare "A2" also turns up, now and then, inside
    # the page's random CSRF token.
    assert f'data-case="{placed.pk}"' in queue and f'data-case="{other.pk}"' not in queue
    assert client.get(f"/cases/{placed.pk}/").status_code == 200
    assert client.get(f"/cases/{other.pk}/").status_code == 404
    assert client.get("/loans/", {"loan_id": "A1"}).status_code == 200
    assert client.get("/loans/", {"loan_id": "A2"}).status_code == 404
    bearer = {"HTTP_AUTHORIZATION": "Bearer " + api_token_create(user=world.agent, name="t")[1]}
    assert client.get(f"/api/v1/cases/{placed.pk}", **bearer).status_code == 200  # type: ignore[arg-type]
    assert client.get(f"/api/v1/cases/{other.pk}", **bearer).status_code == 404  # type: ignore[arg-type]


def test_an_agency_call_after_the_in_house_calls_used_the_daily_cap_is_refused(
    world: World,
) -> None:
    case = world.cases["A1"]
    borrower = Party.objects.get(name="张一")
    for hour in (9, 10, 11):
        done = activity_record(
            case=case,
            party=borrower,
            channel="call",
            party_reached="borrower",
            outcome="right_party",
            by=world.collector,
            at=datetime(2026, 3, 10, hour, 0, tzinfo=SHANGHAI),
            on=ON,
        )
        assert done.allowed, done.reasons
    placement_create(case=case, agency=world.agency, on=PLACED, by=world.lead)
    case.refresh_from_db()

    refused = activity_record(
        case=case,
        party=borrower,
        channel="call",
        party_reached="borrower",
        outcome="right_party",
        by=world.agent,
        at=datetime(2026, 3, 10, 14, 0, tzinfo=SHANGHAI),
        on=ON,
    )

    assert not refused.allowed and refused.activity is None
    assert any("conversations" in reason for reason in refused.reasons), refused.reasons


def test_the_agency_collectors_pages_open_without_error(world: World, client: Client) -> None:
    placement_create(case=world.cases["A1"], agency=world.agency, on=PLACED, by=world.lead)
    client.force_login(world.agent)

    for url in ("/", "/queue/", "/api/v1/cases/"):
        assert client.get(url, follow=True).status_code == 200, url
