"""The borrower portal in a real browser on a phone-sized screen (issue 19, item 3): the
borrower opens the one-time link, gives the last four characters of the ID number and the
code read from the development SMS channel, sees the debt and makes a promise; the
collector's case page then shows it. Separately, five wrong codes lock the link.

Page contracts relied on (``data-testid``): on ``/p/verify/`` ``id-form`` (field ``last4``,
``id-submit``) then ``code-form`` (field ``code``, ``code-submit``); on ``/p/``
``overdue-total``, ``how-to-pay`` and ``go-promise``; ``promise-form`` (``amount``,
``due_on``, ``promise-submit``); ``flash``; ``notice`` with ``data-reason``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from arrears.outreach.self_service import link_sign, link_token
from arrears.portfolio.models import LoanParty
from tests.e2e.conftest import CHROMIUM, sign_in
from tests.e2e.world import World

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Portal:
    """What the test knows before the browser starts (no ORM once Playwright runs)."""

    link: str
    last4: str
    case_id: int
    sms_log: Path


@pytest.fixture
def portal(world: World, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Portal:
    settings.LANGUAGE_CODE = "zh-hans"  # the product's default (tests otherwise read English)
    settings.ARREARS_DEV_OUTBOX_DIR = str(tmp_path / "dev-outbox")
    monkeypatch.delenv("ARREARS_SMS_PROVIDER", raising=False)
    case = world.cases["E2E-A1"]
    borrower = LoanParty.objects.get(loan=case.loan, role="borrower").party
    token = link_sign(link_token(loan_id=case.loan_id, party_id=borrower.pk))
    return Portal(
        link=f"/p/{token}/",
        last4=borrower.id_number[-4:],
        case_id=case.pk,
        sms_log=tmp_path / "dev-outbox" / "sms.log",
    )


@pytest.fixture
def browser(portal: Portal, live_server: Any) -> Iterator[tuple[Browser, str]]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser-deps` (apt chromium)")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield launched, str(live_server)
        finally:
            launched.close()


def phone_page(browser: tuple[Browser, str]) -> tuple[BrowserContext, Page]:
    """A phone: 390×844, touch, a mobile browser's user agent, Chinese."""
    launched, base = browser
    context = launched.new_context(
        base_url=base,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
        locale="zh-CN",
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148",
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


def latest_code(sms_log: Path) -> str:
    codes = re.findall(r"验证码为(\d{6})", sms_log.read_text(encoding="utf-8"))
    assert codes, "no code in the development SMS log"
    return codes[-1]


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def to_code_step(page: Page, portal: Portal) -> None:
    page.goto(portal.link)
    expect(page).to_have_url(re.compile(r"/p/verify/$"))  # the token leaves the address bar
    form = page.get_by_test_id("id-form")
    form.locator("[name=last4]").fill(portal.last4)
    form.get_by_test_id("id-submit").click()
    expect(page.get_by_test_id("code-form")).to_be_visible()
    expect(page.get_by_test_id("flash")).to_contain_text("验证码已通过短信发送至")


def test_the_borrower_signs_in_on_a_phone_and_promises_and_the_collector_sees_it(
    portal: Portal, browser: tuple[Browser, str]
) -> None:
    context, page = phone_page(browser)
    to_code_step(page, portal)
    page.get_by_test_id("code-form").locator("[name=code]").fill(latest_code(portal.sms_log))
    page.get_by_test_id("code-submit").click()

    expect(page).to_have_url(re.compile(r"/p/$"))
    expect(page.get_by_test_id("overdue-total")).to_contain_text("¥")
    expect(page.get_by_test_id("how-to-pay")).to_contain_text("还款方式")
    assert fits_the_screen(page)

    page.get_by_test_id("go-promise").click()
    form = page.get_by_test_id("promise-form")
    amount = form.locator("[name=amount]").input_value()  # the minimum, offered
    due_on = form.locator("[name=due_on]").input_value()
    assert fits_the_screen(page)
    form.get_by_test_id("promise-submit").click()
    expect(page.get_by_test_id("flash")).to_contain_text("已记录")
    context.close()

    desk = browser[0].new_context(
        base_url=browser[1], viewport={"width": 1366, "height": 768}, locale="zh-CN"
    )
    collector = desk.new_page()
    sign_in(collector, "collector1")
    collector.goto(f"/cases/{portal.case_id}/")
    timeline = collector.get_by_test_id("timeline")
    expect(timeline).to_contain_text(f"{Decimal(amount):,.2f}")
    expect(timeline).to_contain_text(due_on)
    expect(timeline).to_contain_text("portal")
    desk.close()


def test_five_wrong_codes_lock_the_link(portal: Portal, browser: tuple[Browser, str]) -> None:
    context, page = phone_page(browser)
    to_code_step(page, portal)
    right = latest_code(portal.sms_log)
    wrong = f"{(int(right) + 1) % 10**6:06d}"

    for left in (4, 3, 2, 1, 0):
        form = page.get_by_test_id("code-form")
        form.locator("[name=code]").fill(wrong)
        form.get_by_test_id("code-submit").click()
        if left:
            expect(page.get_by_test_id("error")).to_contain_text(f"还可尝试 {left} 次")

    expect(page.get_by_test_id("notice")).to_have_attribute("data-reason", "locked")
    expect(page.get_by_test_id("notice")).to_contain_text("锁定")
    page.goto(portal.link)
    expect(page.get_by_test_id("notice")).to_have_attribute("data-reason", "locked")
    context.close()
