"""The error pages in a real browser (issue 15): a person refused a page or an action reads,
in Chinese, what was refused and why, with a way home; a missing page says so in Chinese.

Page contracts relied on (``data-testid``): ``error-page`` carrying ``data-status``,
``error-reason``, ``error-home``; ``hold-form`` on the case page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from arrears.config.settings import LANGUAGE_CODE as PRODUCT_LANGUAGE
from tests.e2e.conftest import sign_in
from tests.e2e.world import World

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _chinese(settings: Any) -> None:
    settings.LANGUAGE_CODE = PRODUCT_LANGUAGE  # tests otherwise read English pages


def test_a_collector_opening_approvals_reads_why_in_chinese(page: Page, world: World) -> None:
    sign_in(page, "collector1")

    answer = page.goto("/approvals/")

    assert answer is not None and answer.status == 403
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    error = page.get_by_test_id("error-page")
    expect(error).to_have_attribute("data-status", "403")
    expect(error.get_by_role("heading")).to_contain_text("无权操作")
    expect(page.get_by_test_id("error-reason")).to_have_text(
        "您的角色（催收员）无权审批还款计划；此操作仅限：组长、催收经理。"
    )
    page.get_by_test_id("error-home").click()
    expect(page).to_have_url(re.compile(r"/queue/$"))


def test_an_auditor_is_offered_no_contact_and_refused_the_team_view_with_a_reason(
    page: Page, world: World
) -> None:
    case = world.cases["E2E-A3"].pk
    sign_in(page, "auditor")

    # The case page offers the auditor no contact form; a post without the page's CSRF token
    # gets the same page style, saying why.
    page.goto(f"/cases/{case}/")
    expect(page.get_by_test_id("contact-form")).to_have_count(0)
    answer = page.request.post(f"/cases/{case}/contacts/", form={"channel": "call"})
    assert answer.status == 403 and "表单未被接受" in answer.text()

    page.goto("/team/")
    expect(page.get_by_test_id("error-reason")).to_have_text(
        "您的角色（合规审计）无权查看团队页面；此操作仅限：组长、催收经理。"
    )
    expect(page.get_by_test_id("user-menu")).to_contain_text("auditor")


def test_a_missing_page_reads_not_found_in_chinese(page: Page, world: World) -> None:
    sign_in(page, "lead")

    answer = page.goto("/cases/99999999/")
    other_team = page.goto(f"/cases/{world.cases['E2E-B1'].pk}/")

    assert answer is not None and answer.status == 404
    assert other_team is not None and other_team.status == 404
    expect(page.get_by_test_id("error-page")).to_have_attribute("data-status", "404")
    expect(page.get_by_test_id("error-reason")).to_have_text(
        "该页面或记录不存在，或不在您可查看的范围内。"
    )
    expect(page).to_have_title(re.compile("未找到"))
