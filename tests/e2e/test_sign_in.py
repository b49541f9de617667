"""Signing in with a real browser: the error for a wrong password, the landing page, the
language switch and signing out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from arrears.config.settings import LANGUAGE_CODE as PRODUCT_LANGUAGE
from tests.e2e.world import PASSWORD, World

# Committed data (the live server reads it from another thread); the rows migrations shipped
# (playbooks, templates) come back afterwards for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_wrong_password_is_explained_and_the_right_one_lets_the_person_in(
    page: Page, world: World
) -> None:
    page.goto("/login/")
    page.locator("input[name=username]").fill("legal")
    page.locator("input[name=password]").fill("not-the-password")
    page.get_by_test_id("sign-in").click()

    expect(page.get_by_test_id("login-error")).to_be_visible()
    expect(page.locator("input[name=username]")).to_have_value("legal")

    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()

    expect(page).to_have_url(re.compile(r"/$"))


def test_the_login_page_is_chinese_until_english_is_chosen(
    page: Page, world: World, settings: Any
) -> None:
    settings.LANGUAGE_CODE = PRODUCT_LANGUAGE  # tests otherwise read English pages
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.get_by_test_id("language-switch").locator("button[value=en]").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("sign-in")).to_have_text("Sign in")


def test_a_page_asked_for_before_signing_in_opens_after_it(page: Page, world: World) -> None:
    page.goto("/cycle/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/cycle/$"))

    page.locator("input[name=username]").fill("admin")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()

    expect(page).to_have_url(re.compile(r"/cycle/$"))


def test_the_pages_work_under_the_content_security_policy(page: Page, world: World) -> None:
    """No inline script or style is refused on the login page, the queue, a case and the
    admin: the browser reports every CSP refusal on the console."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/login/")
    expect(page.get_by_test_id("sign-in")).to_be_visible()
    page.locator("input[name=username]").fill("admin")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto("/admin/accounts/user/")
    expect(page.locator("#result_list")).to_be_visible()
    page.context.clear_cookies()
    page.goto("/login/")
    # Styled from its stylesheet, not inline <style>: the card is white, not unstyled.
    card = page.locator(".card.login")
    expect(card).to_have_css("background-color", "rgb(255, 255, 255)")
    page.locator("input[name=username]").fill("collector1")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()
    expect(page).to_have_url(re.compile(r"/queue/$"))
    page.locator("a[href^='/cases/']").first.click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))

    assert refused == []
