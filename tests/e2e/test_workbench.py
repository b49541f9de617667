"""The collector workbench in a real browser, as issue 6's "Done when" describes it: a
collector takes the next case and logs a call with a promise that shows on the timeline; a
team lead approves a repayment plan; a collector cannot open another team's case by URL or
by the API.

Page contracts relied on (``data-testid``): ``next-case`` on the queue; on the case page
``contact-form`` (fields ``channel``, ``party_reached``, ``outcome``, ``promise_amount`` in
yuan, ``promise_due_on``) with its ``contact-submit`` button, ``timeline``, and
``plan-status`` carrying ``data-status``; ``approve-plan`` on ``/approvals/``.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in
from tests.e2e.world import World

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CASE_URL = re.compile(r"/cases/(\d+)/$")


def test_a_collector_takes_the_next_case_and_logs_a_call_with_a_promise(
    page: Page, world: World
) -> None:
    sign_in(page, "collector1")
    expect(page).to_have_url(re.compile(r"/queue/$"))

    page.get_by_test_id("next-case").click()
    expect(page).to_have_url(CASE_URL)
    match = CASE_URL.search(page.url)
    assert match is not None
    mine = {world.cases[loan].pk for loan in ("E2E-A1", "E2E-A2", "E2E-A3")}
    assert int(match.group(1)) in mine, "the next case is one of collector1's or team A's"

    promised_on = world.today + timedelta(days=3)
    form = page.get_by_test_id("contact-form")
    form.locator("[name=channel]").select_option("call")
    form.locator("[name=party_reached]").select_option("borrower")
    form.locator("[name=outcome]").select_option("promise")
    form.locator("[name=promise_amount]").fill("500.00")
    form.locator("[name=promise_due_on]").fill(promised_on.isoformat())
    form.get_by_test_id("contact-submit").click()

    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("500.00")
    expect(timeline).to_contain_text(promised_on.isoformat())


def test_a_team_lead_approves_a_pending_plan_and_it_becomes_active(
    page: Page, world: World
) -> None:
    sign_in(page, "lead")

    page.goto("/approvals/")
    page.get_by_test_id("approve-plan").click()

    page.goto(f"/cases/{world.pending_plan.case_id}/")
    expect(page.get_by_test_id("plan-status").first).to_have_attribute("data-status", "active")


def test_a_collector_cannot_open_another_teams_case_by_url_or_api(page: Page, world: World) -> None:
    other_team = world.cases["E2E-B1"].pk
    own = world.cases["E2E-A1"].pk
    sign_in(page, "collector1")

    page_answer = page.goto(f"/cases/{other_team}/")
    api_answer = page.request.get(f"/api/v1/cases/{other_team}")
    own_answer = page.request.get(f"/api/v1/cases/{own}")

    assert page_answer is not None and page_answer.status == 404
    assert api_answer.status == 404
    assert own_answer.status == 200, "the same request for the collector's own case works"
