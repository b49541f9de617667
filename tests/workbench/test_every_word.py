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
import io
import re
import wave
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from arrears.accounts.models import Agency
from arrears.agencies.commission import RateLine
from arrears.agencies.services import contract_create, placement_create
from arrears.cases.blacklist_services import blacklist_propose
from arrears.cases.models import Activity
from arrears.cases.services import activity_record
from arrears.cases.writeoff_services import writeoff_propose
from arrears.compliance.services import contact_check, hold_place
from arrears.field.demo import demo_photo
from arrears.field.visit_services import UploadedFile, visit_record
from arrears.portfolio.models import ContactPoint, Creditor, LoanParty, Party, Product
from arrears.quality.recording_services import UploadedAudio, recording_attach
from arrears.quality.review_services import sample_draw
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
        "SHA",  # SHA-256, the name of the hash kept beside each evidence file and recording
        "URL",  # where the dialer keeps a recording (网址 would be as foreign to a dialer)
        "CSV",  # file formats a page offers or accepts, by their names
        "Excel",
        "JPEG",
        "PNG",
        "WebP",
        "MB",  # the unit of a file's size limit
        "mp",  # audio formats accepted for a recording: mp3, wav, amr, ogg
        "wav",
        "amr",
        "ogg",
    }
)
# Usernames (the world's people: collector1, lead …) are names the admin typed, as are
# email addresses and the loans' ids; they are taken out before the words are read.
USERNAMES = frozenset(PEOPLE)
EMAIL = re.compile(r"[\w.+*-]+@[\w.*-]+")
# A SHA-256 (or any long hex digest) is a code, and a file's name is what its uploader
# called it: both are taken out before the words are read.
DIGEST = re.compile(r"\b[0-9a-f]{12,}")  # whole, or cut short ("56d4af65701c26...")
FILE_NAME = re.compile(r"[^\s/·]+\.(?:png|jpe?g|webp|pdf|wav|mp3|m4a|amr|ogg|txt)\b", re.I)
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
    text = DIGEST.sub(" ", text)
    text = FILE_NAME.sub(" ", text)
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
    _issue_20_in_chinese(world, borrower)
    return world


def _silent_wav() -> bytes:
    """A second of silence as a WAV file, standing in for a call's recording."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(bytes(2 * 8000))
    return buffer.getvalue()


def _issue_20_in_chinese(world: World, borrower: Party) -> None:
    """Issue 20's parts on the world, through their own services: a two-person visit with a
    photo on collector1's case, the team lead's review sample of its call, a write-off
    proposal and a blacklist proposal on it, and team B's case placed with the agency under
    a contract (so the agency collector has a case, the placements desk and the commission
    statement have a row)."""
    users, today = world.users, world.today
    case = world.cases["E2E-A1"]
    now = timezone.now()
    visit = visit_record(
        case=case,
        party_id=borrower.pk,
        by=users["fieldagent"],
        colleague_ids=[users["lead"].pk],
        arrived_at=now - timedelta(minutes=40),
        left_at=now - timedelta(minutes=10),
        outcome="met_debtor",
        on=today,
        notes="两人上门，见到本人，约定月底前还款",
        files=[UploadedFile("门牌照片.png", demo_photo())],
        address_id=ContactPoint.objects.filter(party=borrower, kind="address")
        .values_list("pk", flat=True)
        .first(),
    )
    assert visit.allowed and visit.visit is not None, visit.refusals
    sample = sample_draw(by=users["lead"], first_day=today, last_day=today, per_collector=1)
    call = Activity.objects.filter(case=case, channel="call").values_list("pk", flat=True)[0]
    world.ids.update(visit=visit.visit.pk, call=call, sample=sample.pk)
    # The call's recording with a transcript that says a forbidden phrase (a flag to review).
    recording_attach(
        activity=Activity.objects.get(pk=call),
        by=users["collector1"],
        upload=UploadedAudio(name="通话录音.wav", data=_silent_wav()),
        transcript="催收员：再不还款后果自负。".encode(),
    )
    writeoff_propose(case=case, by=users["legal"], reason="借款人已无还款能力", on=today)
    blacklist_propose(party=borrower, by=users["lead"], reason="恶意逃废债务")
    assert world.agency is not None
    Agency.objects.filter(pk=world.agency.pk).update(name="华信委外催收有限公司")
    world.agency.refresh_from_db()
    contract_create(
        agency=world.agency,
        creditor=world.creditor,
        reference="2026-001",
        valid_from=today - timedelta(days=30),
        valid_to=None,
        placement_days=90,
        basis="bucket",
        rates=[RateLine(rate_bp=1000, bucket="M1"), RateLine(rate_bp=1800, bucket="M2")],
    )
    placement_create(case=world.cases["E2E-B1"], agency=world.agency, on=today, by=None)


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
    # Issue 20's pages: field visits and skip tracing, agencies, closing, quality review.
    # (no query here: the browser test lists the pages while Chromium runs)
    visit, call, sample = world.ids["visit"], world.ids["call"], world.ids["sample"]
    placed = world.cases["E2E-B1"]
    agency_code = world.agency.code if world.agency else ""
    month = f"{world.today:%Y-%m}"
    field_pages = [
        "/field/route/",
        "/skip-trace/",
        f"/cases/{mine.pk}/skip-trace/",
        f"/cases/{mine.pk}/visits/new/",
        f"/visits/{visit}/report/",
    ]
    closing_pages = [
        "/stop-loss/",
        "/blacklist/",
        f"/cases/{mine.pk}/write-off/",
        f"/cases/{mine.pk}/blacklist/",
    ]
    quality_pages = [
        "/quality/",
        f"/quality/report/?month={month}",
        f"/quality/calls/{call}/review/",
    ]
    statement = f"/agencies/statement/?agency={agency_code}&month={month}"
    # Each role also tries a page it may not open (a 403 that says why) and one that does
    # not exist (a 404): those pages are read for English words too.
    return {
        "collector1": [
            "/",
            "/queue/",
            *case_pages,
            loan,
            "/team/",
            "/insights/",
            "/skip-trace/",
            f"/cases/{mine.pk}/skip-trace/",
            f"/cases/{mine.pk}/calls/{call}/recording/",
            f"/visits/{visit}/report/",
            "/quality/",
        ],
        "fieldagent": ["/", "/queue/", f"/cases/{mine.pk}/", "/approvals/", *field_pages],
        "lead": [
            "/",
            "/queue/",
            "/team/",
            "/approvals/",
            *case_pages,
            loan,
            "/cycle/",
            "/insights/",
            *field_pages,
            "/agencies/placements/",
            f"/cases/{mine.pk}/placement/",
            *closing_pages,
            *quality_pages,
            f"/quality/samples/{sample}/",
            f"/quality/calls/{call}/review/?sample={sample}",
            statement,
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
            "/skip-trace/",
            f"/cases/{mine.pk}/skip-trace/",
            "/agencies/placements/",
            f"/cases/{mine.pk}/placement/",
            f"/cases/{placed.pk}/placement/recall/",
            statement,
            *closing_pages,
            *quality_pages,
        ],
        "legal": [
            "/",
            f"/cases/{mine.pk}/",
            loan,
            "/queue/",
            "/cases/999999/",
            "/blacklist/",
            f"/cases/{mine.pk}/write-off/",
            f"/cases/{mine.pk}/blacklist/",
            "/quality/",
        ],
        "auditor": [
            "/",
            f"/cases/{mine.pk}/",
            loan,
            "/team/",
            "/blacklist/",
            *quality_pages,
        ],
        "admin": [
            "/",
            "/queue/",
            "/team/",
            "/approvals/",
            *case_pages,
            loan,
            "/cycle/",
            "/insights/",
            statement,
            "/blacklist/",
        ],
        # The agency collector: its queue (the case placed with its agency), that case, and
        # a case of the lender's own that it may not see (404).
        "agencycollector": [
            "/",
            "/queue/",
            f"/cases/{placed.pk}/",
            f"/cases/{placed.pk}/visits/new/",
            f"/cases/{placed.pk}/skip-trace/",
            f"/cases/{mine.pk}/",
            "/field/route/",
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
