"""Chinese by default, English on request: the zh-hans catalog is complete and in use."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from arrears.config.settings import LANGUAGE_CODE as PRODUCT_LANGUAGE

CATALOG = (
    Path(__file__).resolve().parent.parent / "src/arrears/locale/zh_Hans/LC_MESSAGES/django.po"
)


def _entries(text: str) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of every entry but the header."""
    found = []
    for block in text.split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if not msgid or not msgstr:
            continue
        join = lambda quoted: "".join(re.findall(r'"(.*)"', quoted))  # noqa: E731
        if join(msgid.group(1)):
            found.append((join(msgid.group(1)), join(msgstr.group(1)), "#, fuzzy" in block))
    return found


def test_every_message_has_a_chinese_translation_and_none_is_a_guess() -> None:
    entries = _entries(CATALOG.read_text(encoding="utf-8"))

    assert len(entries) > 500
    assert [msgid for msgid, msgstr, _ in entries if not msgstr] == []
    assert [msgid for msgid, _, fuzzy in entries if fuzzy] == []


@pytest.mark.django_db
def test_the_login_page_speaks_chinese_until_english_is_chosen(
    client: Client, settings: Any
) -> None:
    settings.LANGUAGE_CODE = PRODUCT_LANGUAGE  # tests otherwise read English pages
    chinese = client.get("/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    english = client.get("/login/").content.decode()

    assert PRODUCT_LANGUAGE == "zh-hans"
    assert "登录" in chinese and "Sign in" not in chinese
    assert "Sign in" in english and "登录" not in english


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_the_switch_is_used(
    client: Client, settings: Any
) -> None:
    settings.LANGUAGE_CODE = PRODUCT_LANGUAGE

    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert '<html lang="zh-hans">' in page and "登录" in page
