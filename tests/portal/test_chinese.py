"""Chinese by default: every word a borrower reads on the portal — the sign-in steps, the
pages, the notices and the SMS with the code — is Chinese until English is chosen."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.portal.conftest import World, codes_sent, last4, link_path, signed_in
from tests.workbench.test_every_word import english_words, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def chinese(settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"


def words(response: Any) -> set[str]:
    return english_words(visible_text(response.content.decode()))


def test_every_page_of_the_portal_speaks_chinese(
    chinese: None, world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    found: dict[str, set[str]] = {}
    client.get(link_path(world))
    found["id step"] = words(client.get("/p/verify/"))
    found["wrong id"] = words(client.post("/p/verify/", {"step": "id", "last4": "0000"}))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/p/verify/", {"step": "id", "last4": last4(world.borrower)})
    found["code step"] = words(client.get("/p/verify/"))
    found["wrong code"] = words(client.post("/p/verify/", {"step": "code", "code": "000000"}))
    client.post("/p/verify/", {"step": "code", "code": codes_sent(world)[-1]})
    for path in ("/p/", "/p/promise/", "/p/plan/", "/p/dispute/", "/p/pause/", "/p/quiet/"):
        found[path] = words(client.get(path))
    found["bad promise"] = words(client.post("/p/promise/", {"amount": "1", "due_on": "x"}))
    found["done"] = words(client.post("/p/plan/", {"option": "30-3"}, follow=True))
    found["signed out"] = words(client.post("/p/sign-out/"))
    found["no session"] = words(client.get("/p/"))
    found["bad link"] = words(client.get("/p/nothing:here/"))

    assert {where: w for where, w in found.items() if w} == {}
    sms = (world.outbox / "sms.log").read_text(encoding="utf-8")
    assert "您的登录验证码为" in sms and "5分钟内有效" in sms


def test_the_language_switch_turns_the_portal_english(
    chinese: None, world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    signed_in(client, world, django_capture_on_commit_callbacks)
    chinese_page = client.get("/p/").content.decode()

    client.post("/i18n/setlang/", {"language": "en", "next": "/p/"})
    english_page = client.get("/p/").content.decode()

    assert '<html lang="zh-hans">' in chinese_page and "还款方式" in chinese_page
    assert "How to pay" in english_page and "还款方式" not in english_page
