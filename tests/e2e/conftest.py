"""Browser tests: Playwright driving Debian's Chromium (``/usr/bin/chromium``, headless)
against pytest-django's live server, on SQLite or PostgreSQL alike.

The live server runs in a thread of the test process; with SQLite's in-memory test database
pytest-django hands it the test's own connection, so both see the same data. Each test gets
committed data (``transaction=True``) and, with ``serialized_rollback=True``, the rows
migrations shipped (playbooks, templates, the authority matrix) back after the flush.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.world import PASSWORD, World, world_build

CHROMIUM = os.environ.get("ARREARS_CHROMIUM", "/usr/bin/chromium")

# Auto-waiting assertions give a slow page this long before failing.
expect.set_options(timeout=10_000)


@pytest.fixture
def world(transactional_db: None, tmp_path: Path) -> World:
    return world_build(tmp_path)


@pytest.fixture
def page(world: World, live_server: object) -> Iterator[Page]:
    """A fresh Chromium tab on a laptop-sized screen, pointed at the live server.

    Playwright starts after the world is built and stops before the database is flushed:
    while its synchronous API runs, this thread counts as async code to Django, whose
    connections then resolve to fresh objects (ORM calls raise SynchronousOnlyOperation, and
    the flush/restore of ``serialized_rollback`` would miss the saved rows). So tests check
    results through the pages, never the ORM.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser-deps` (apt chromium)")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True)
        context = browser.new_context(
            base_url=str(live_server), viewport={"width": 1366, "height": 768}, locale="zh-CN"
        )
        context.set_default_timeout(10_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login page like a person would."""
    page.goto("/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_test_id("sign-in").click()
    expect(page.locator("input[name=password]")).to_have_count(0)
