"""Every word in the user's language, in a real browser (issue 15): each demo role signs in
under the Chinese default, reads the page it lands on and every page it can reach (home,
queue, a case page with its timeline, parties and compliance standing, team, approvals,
the loan page, plans and waivers), and finds no English word on them but the proper names
and codes of ``tests.workbench.test_every_word.ALLOWED``.

The same pages are read without a browser by tests/workbench/test_every_word.py; this test
reads what Chromium renders (``inner_text`` of the body: no hidden element, no attribute).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Page

from tests.e2e.conftest import sign_in
from tests.e2e.world import World
from tests.workbench.test_every_word import english_on_pages, english_words, world_in_chinese

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(transactional_db: None, tmp_path: Path, settings: Any) -> Iterator[World]:
    """The browser tests' world with its data in Chinese, served in the Chinese default."""
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        built = world_in_chinese(tmp_path)
    yield built


def test_every_role_reads_its_pages_in_chinese(page: Page, world: World) -> None:
    signed_in: set[str] = set()
    landed: dict[str, str] = {}
    reached: list[str] = []
    texts: list[str] = []
    refused: dict[int, list[str]] = {403: [], 404: []}

    def read(username: str, path: str) -> str | None:
        if username not in signed_in:
            page.context.clear_cookies()
            sign_in(page, username)
            signed_in.add(username)
            landed[username] = page.inner_text("body")
        response = page.goto(path)
        assert response is not None
        if response.status in (403, 404):
            refused[response.status].append(page.inner_text("body"))
            return refused[response.status][-1]
        assert response.status == 200, (username, path, response.status)
        reached.append(f"{username} {path}")
        texts.append(page.inner_text("body"))
        return texts[-1]

    found = english_on_pages(read, world)
    found.update(
        {f"{username} (landing)": english_words(text) for username, text in landed.items()}
    )
    found = {where: words for where, words in found.items() if words}

    assert len(reached) > 30  # the roles reach their pages
    assert refused[403] and all("无权" in text for text in refused[403])  # says why, in Chinese
    assert refused[404]
    assert any("提醒与协商" in text for text in texts)  # the stage by its title, in Chinese
    assert found == {}, "\n".join(f"{where}: {sorted(words)}" for where, words in found.items())
