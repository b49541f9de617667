"""Every word in the user's language: each demo role signs in under the Chinese default and
reads the pages it lands on and can reach (home, queue, a case page with its timeline,
parties and compliance standing, team, approvals, the loan page, plans and waivers); no
English word may be left on them but the few proper names and codes of ``ALLOWED``.

The browser test (tests/e2e/test_every_word.py) reads the same pages in Chromium; this one
reads them with Django's test client, so the check runs without a browser. The pages'
visible text is the HTML without its tags, scripts, styles and attribute values.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from arrears.cases.services import activity_record
from arrears.compliance.services import contact_check, hold_place
from arrears.portfolio.models import ContactPoint, Creditor, LoanParty, Party, Product
from tests.e2e.world import PEOPLE, World, world_build

# Latin words allowed on a Chinese page, each a proper name or a code, never a sentence:
ALLOWED = frozenset(
    {
        "Arrears",  # the product's name
        "English",  # the language switch names each language in its own name (中文 / English)
        "DPD",  # 逾期天数, the industry's abbreviation, shown beside the number
        "PTP",  # 承诺还款 (PTP), the glossary's own abbreviation
        "SMS",  # the channel's name as Chinese collectors write it (短信 in sentences)
        "ID",  # a party's ID number (身份证) label, as ID is written in Chinese forms
        "CNY",  # currency code
        "Etc",  # the test world's IANA time zone name (Etc/GMT-3), a code
        "GMT",
        "Asia",  # IANA time zone names (Asia/Shanghai) are codes
        "Shanghai",
        "PDF",
        "API",
        "HTMX",
    }
)
# Usernames (the world's people: collector1, lead …) are names the admin typed, as are
# email addresses and the loans' ids; they are taken out before the words are read.
USERNAMES = frozenset(PEOPLE)
EMAIL = re.compile(r"[\w.+*-]+@[\w.*-]+")
REQUEST = re.compile(r"(?:\b(?:GET|POST|PUT|PATCH|DELETE|HEAD)\s+)?(?<!\S)/\S*")
WORD = re.compile(r"[A-Za-z]{2,}")


def visible_text(page: str) -> str:
    """The text a reader sees: the body without scripts, styles, tags and attribute values."""
    body = page.split("<body", 1)[-1].split(">", 1)[-1]
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", body, flags=re.S | re.I)
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    body = re.sub(r"<[^>]*>", " ", body)
    return html.unescape(body)


def english_words(text: str) -> set[str]:
    """The Latin words of 2+ letters in ``text`` that are not proper names or codes."""
    text = EMAIL.sub(" ", text)
    # An error page names the refused request ("GET /team/", "/cases/9/") for support: codes.
    text = REQUEST.sub(" ", text)
    words: set[str] = set()
    for token in re.findall(r"[A-Za-z0-9_.-]+", text):
        if token.rstrip(".") in USERNAMES or re.fullmatch(r"E2E-[A-Z]\d+", token):
            continue
        words.update(word for word in WORD.findall(token) if word not in ALLOWED)
    return words


def world_in_chinese(tmp_path: Path) -> World:
    """The browser tests' world, its data typed in Chinese as a Chinese lender's would be
    (names the admin gave are data, not the interface), with more on its pages: a product,
    an email and an address, an emergency contact, a hold, a call with a promise and a
    refused contact on the timeline."""
    world = world_build(tmp_path)
    Creditor.objects.filter(pk=world.creditor.pk).update(name="测试小贷")
    world.team_a.name, world.team_b.name = "M1 一组", "M1 二组"
    world.team_a.save(update_fields=["name"])
    world.team_b.save(update_fields=["name"])
    world.pending_plan.reason = "先还三成，余下三个月还清"
    world.pending_plan.save(update_fields=["reason"])
    case = world.cases["E2E-A1"]
    loan = case.loan
    product = Product.objects.create(creditor=world.creditor, code="CONSUMER", name="消费贷")
    type(loan).objects.filter(pk=loan.pk).update(product=product)
    borrower = LoanParty.objects.get(loan=loan, role="borrower").party
    ContactPoint.objects.create(party=borrower, kind="email", value="wang@example.com")
    ContactPoint.objects.create(party=borrower, kind="address", value="北京市朝阳区某路1号")
    contact = Party.objects.create(creditor=world.creditor, kind="person", name="王大明")
    LoanParty.objects.create(loan=loan, party=contact, role="contact_person")
    ContactPoint.objects.create(party=contact, kind="phone", value="13912345678")
    now = timezone.now()
    activity_record(
        case=case,
        party=borrower,
        channel="call",
        party_reached="borrower",
        outcome="promise",
        by=world.users["collector1"],
        at=now - timedelta(minutes=5),
        on=world.today,
        reason="cash_flow",
        notes="答应下周还款",
        promise_amount=500_00,
        promise_due_on=world.today + timedelta(days=3),
    )
    hold_place(
        kind="dispute",
        reason="借款人对金额有异议",
        party=LoanParty.objects.get(loan=world.cases["E2E-A3"].loan, role="borrower").party,
        placed_by=world.users["lead"],
    )
    at_night = datetime.combine(world.today, datetime.min.time()).replace(
        hour=23, tzinfo=timezone.get_current_timezone()
    )
    contact_check(loan=loan, party=borrower, channel="call", at=at_night, asked_by="collector1")
    return world


def role_pages(world: World) -> dict[str, list[str]]:
    """Each demo role's pages: where it lands and what it can reach."""
    mine, pooled = world.cases["E2E-A1"], world.cases["E2E-A3"]
    planned = world.pending_plan.case_id
    loan = f"/loans/?loan_id={mine.loan.loan_id}"
    case_pages = [
        f"/cases/{mine.pk}/",
        f"/cases/{pooled.pk}/",
        f"/cases/{planned}/",
        f"/cases/{mine.pk}/plans/new/",
        f"/cases/{mine.pk}/settlements/new/",
    ]
    # Each role also tries a page it may not open (a 403 that says why) and one that does
    # not exist (a 404): those pages are read for English words too.
    return {
        "collector1": ["/", "/queue/", *case_pages, loan, "/team/", "/insights/"],
        "fieldagent": ["/", "/queue/", f"/cases/{mine.pk}/", "/approvals/"],
        "lead": [
            "/",
            "/queue/",
            "/team/",
            "/approvals/",
            *case_pages,
            loan,
            "/cycle/",
            "/insights/",
        ],
        "manager": [
            "/",
            "/queue/",
            "/team/",
            "/approvals/",
            *case_pages,
            loan,
            "/cycle/",
            "/insights/",
        ],
        "legal": ["/", f"/cases/{mine.pk}/", loan, "/queue/", "/cases/999999/"],
        "auditor": ["/", f"/cases/{mine.pk}/", loan, "/team/"],
        "admin": [
            "/",
            "/queue/",
            "/team/",
            "/approvals/",
            *case_pages,
            loan,
            "/cycle/",
            "/insights/",
        ],
    }


def english_on_pages(read: Any, world: World) -> dict[str, set[str]]:
    """``{"user path": english words}`` for every page of every role that has any; ``read``
    answers (username, path) with the page's visible text, or None if not reachable."""
    found: dict[str, set[str]] = {}
    for username, paths in role_pages(world).items():
        for path in paths:
            text = read(username, path)
            if text is None:
                continue
            words = english_words(text)
            if words:
                found[f"{username} {path}"] = words
    return found


@pytest.fixture
def chinese(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


pytestmark = pytest.mark.django_db


def test_no_english_word_on_any_roles_pages(chinese: None, tmp_path: Path) -> None:
    world = world_in_chinese(tmp_path)
    clients: dict[str, Client] = {}
    reached: list[str] = []
    texts: list[str] = []
    refused: dict[int, list[str]] = {403: [], 404: []}

    def read(username: str, path: str) -> str | None:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(world.users[username])
        response = clients[username].get(path, follow=True)
        if response.status_code in (403, 404):
            refused[response.status_code].append(visible_text(response.content.decode()))
            return refused[response.status_code][-1]
        assert response.status_code == 200, (username, path, response.status_code)
        reached.append(f"{username} {path}")
        text = visible_text(response.content.decode())
        if re.fullmatch(r"/cases/\d+/", path):
            texts.append(text)
        return text

    found = english_on_pages(read, world)

    assert len(reached) > 30  # the roles reach their pages
    # The refusals are pages that say why, in Chinese; the missing page says so too.
    assert refused[403] and all("无权" in text for text in refused[403])
    assert refused[404] and all("找不到" in text or "不存在" in text for text in refused[404])
    assert texts and all("阶段" in text for text in texts)  # each case page, in Chinese
    assert all("提醒与协商" in text for text in texts)  # the stage by its title
    assert found == {}, "\n".join(f"{page}: {sorted(words)}" for page, words in found.items())


def test_a_refusal_on_the_case_page_speaks_chinese(chinese: None, tmp_path: Path) -> None:
    world = world_in_chinese(tmp_path)
    case = world.cases["E2E-A3"]  # its borrower is on hold (a dispute)
    borrower = LoanParty.objects.get(loan=case.loan, role="borrower").party
    client = Client()
    client.force_login(world.users["collector1"])

    response = client.post(
        f"/cases/{case.pk}/contacts/",
        {
            "channel": "call",
            "party": borrower.pk,
            "party_reached": "nobody",
            "outcome": "no_answer",
        },
    )
    text = visible_text(response.content.decode())

    assert "争议" in text and "hold:" not in text
    assert english_words(text) == set()


def test_the_language_switch_names_each_language_in_its_own_name(
    chinese: None, tmp_path: Path
) -> None:
    world = world_in_chinese(tmp_path)
    client = Client()
    sign_in_page = client.get("/login/").content.decode()
    client.force_login(world.users["collector1"])
    workbench = client.get("/queue/").content.decode()
    with translation.override("en"):
        in_english = client.get("/queue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    def switch(page: str) -> list[str]:
        form = page.split('data-testid="language-switch"', 1)[1].split("</form>", 1)[0]
        return [" ".join(visible_text(b).split()) for b in re.findall(r"<button.*?</button>", form)]

    assert (
        switch(sign_in_page) == switch(workbench) == switch(in_english) == ["简体中文", "English"]
    )


def test_the_words_found_are_the_english_ones() -> None:
    text = "阶段: remind · collector1 · wang@example.com · E2E-A1 · DPD 12 · 中文 / English"

    assert english_words(text) == {"remind"}
