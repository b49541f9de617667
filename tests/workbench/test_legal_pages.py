"""The legal desk's pages: the matters list with its deadlines and the playbooks' referrals,
starting a matter from a case, the matter page with its claim, court fees, forms, papers and
bundles; the legal officer's home with the deadlines soonest first; the litigation mark on
the case page. Only the legal desk's roles open them (403 for a collector), a matter of
another creditor is not found, bad input is shown on the form, every page speaks Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from arrears.accounts.models import User
from arrears.cases.models import WorkItem
from arrears.core.models import AuditEntry
from arrears.legal.models import Matter
from arrears.legal.services import matter_event_record, matter_open
from arrears.portfolio.models import Creditor, Loan, LoanParty
from arrears.portfolio.services import tape_ingest
from tests.e2e.world import World, world_build
from tests.factories import loan_row, write_csv
from tests.workbench.test_every_word import english_words, visible_text, world_in_chinese

pytestmark = pytest.mark.django_db

# Format codes a court-paper list names (DOCX beside the house's allowed PDF).
CODES = frozenset({"DOCX"})


@pytest.fixture
def world(tmp_path: Path) -> World:
    return world_build(tmp_path)


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def lawsuit(world: World, loan_id: str = "E2E-A1", *, on: date | None = None) -> Matter:
    return matter_open(
        loan=world.cases[loan_id].loan,
        kind="lawsuit",
        on=on or world.today,
        court="北京市朝阳区人民法院",
        case_number="（2026）京0105民初1号",
        user=world.users["legal"],
    )


def other_creditors_matter(tmp_path: Path) -> Matter:
    stranger = Creditor.objects.create(name="别家小贷")
    disbursed = (timezone.localdate() - timedelta(days=40)).isoformat()
    rows = [loan_row("X-1", borrower_name="外人", disbursed_on=disbursed)]
    tape_ingest(creditor=stranger, kind="loans", path=write_csv(tmp_path / "x.csv", rows))
    return matter_open(loan=Loan.objects.get(loan_id="X-1"), kind="lawsuit", on=date.today())


def test_the_legal_officer_opens_the_desk_the_matter_and_the_new_matter_form(
    world: World,
) -> None:
    matter = lawsuit(world)
    matter_event_record(matter=matter, kind="accepted", on=world.today, user=world.users["legal"])
    client = client_of(world.users["legal"])

    listing = client.get("/legal/").content.decode()
    page = client.get(f"/legal/matters/{matter.pk}/").content.decode()
    new = client.get(f"/legal/matters/new/?case={world.cases['E2E-A2'].pk}")

    assert 'data-testid="matter-row"' in listing and "王小明" in listing
    assert "北京市朝阳区人民法院" in listing and "预交案件受理费" in listing
    assert 'data-deadline="acceptance_fee_payment"' in page
    assert 'data-testid="claim-total"' in page and 'data-testid="acceptance-fee"' in page
    assert 'data-testid="event-form"' in page and 'value="served"' in page
    assert 'value="issued"' not in page, "a lawsuit has no payment order to issue"
    assert new.status_code == 200 and 'data-testid="matter-form"' in new.content.decode()


def test_the_court_fees_on_the_page_are_those_of_the_claim_today(world: World) -> None:
    from arrears.legal.claims import loan_claim
    from arrears.legal.cli.fees import fees_report

    matter = lawsuit(world)
    claim = loan_claim(world.cases["E2E-A1"].loan, as_of=world.today)

    page = client_of(world.users["legal"]).get(f"/legal/matters/{matter.pk}/").content.decode()

    fee = fees_report(claim.total)["acceptance_fee"]
    assert f'data-testid="acceptance-fee">{fee}<' in page


def test_a_collector_is_refused_the_legal_desk_with_the_reason(world: World) -> None:
    matter = lawsuit(world)
    client = client_of(world.users["collector1"])

    answers = [
        client.get("/legal/"),
        client.get(f"/legal/matters/{matter.pk}/"),
        client.post(f"/legal/matters/{matter.pk}/events/", {"kind": "served"}),
        client.post(f"/legal/matters/new/?case={world.cases['E2E-A1'].pk}", {"kind": "lawsuit"}),
    ]

    assert [answer.status_code for answer in answers] == [403] * 4
    assert "may not open the legal desk" in answers[0].content.decode()
    assert 'data-testid="nav-legal"' not in client.get("/queue/").content.decode()


def test_an_auditor_reads_the_desk_but_may_not_change_it(world: World) -> None:
    matter = lawsuit(world)
    client = client_of(world.users["auditor"])

    page = client.get(f"/legal/matters/{matter.pk}/")
    refused = client.post(f"/legal/matters/{matter.pk}/close/", {"outcome": "won"})

    assert page.status_code == 200 and 'data-testid="event-form"' not in page.content.decode()
    assert refused.status_code == 403


def test_another_creditors_matter_is_not_found(world: World, tmp_path: Path) -> None:
    theirs = other_creditors_matter(tmp_path)
    client = client_of(world.users["legal"])

    assert client.get(f"/legal/matters/{theirs.pk}/").status_code == 404
    assert client.post(f"/legal/matters/{theirs.pk}/events/", {}).status_code == 404
    assert "外人" not in client.get("/legal/?status=all").content.decode()


def test_a_date_before_the_loan_was_disbursed_is_shown_on_the_form(world: World) -> None:
    case = world.cases["E2E-A1"]
    too_early = case.loan.disbursed_on - timedelta(days=1)

    answer = client_of(world.users["legal"]).post(
        f"/legal/matters/new/?case={case.pk}",
        {"case": case.pk, "kind": "lawsuit", "court": "某法院", "on": too_early.isoformat()},
    )

    page = answer.content.decode()
    assert answer.status_code == 400
    assert re.search(r'data-field="on">[^<]*before the loan was disbursed', page)
    assert 'value="某法院"' in page, "what was typed is kept"
    assert not Matter.objects.exists()


def test_an_event_the_matter_cannot_have_and_a_future_date_are_refused_on_the_form(
    world: World,
) -> None:
    matter = lawsuit(world)
    client = client_of(world.users["legal"])
    tomorrow = (world.today + timedelta(days=1)).isoformat()

    wrong = client.post(f"/legal/matters/{matter.pk}/events/", {"kind": "issued", "on": tomorrow})
    future = client.post(f"/legal/matters/{matter.pk}/events/", {"kind": "served", "on": tomorrow})

    assert wrong.status_code == future.status_code == 400
    assert 'data-field="kind"' in wrong.content.decode()
    assert re.search(r'data-field="on">[^<]*in the future', future.content.decode())
    assert not matter.events.exists()


BAD_VALUES = ("", "9999-12-31", "1900-01-01", "abc", "-5", "1e400", "9" * 30, "<script>", "张三")


def test_bad_values_in_every_legal_form_are_refused_on_the_form_never_a_500(
    world: World,
) -> None:
    matter = lawsuit(world)
    case = world.cases["E2E-A2"]
    client = client_of(world.users["legal"])
    today = world.today.isoformat()
    # Each form with values it would accept; each field in turn is then given bad ones.
    forms = {
        f"/legal/matters/new/?case={case.pk}": {"kind": "payment_order", "on": today},
        f"/legal/matters/{matter.pk}/events/": {"kind": "recovered", "on": today, "amount": "1"},
        f"/legal/matters/{matter.pk}/costs/": {"kind": "court_fee", "amount": "50", "on": today},
        f"/legal/matters/{matter.pk}/documents/": {
            "kind": "complaint",
            "fmt": "docx",
            "as_of": today,
            "loan": str(matter.loan_id),
        },
        f"/legal/matters/{matter.pk}/close/": {"outcome": "won", "on": today},
    }

    statuses = {
        (url, name, client.post(url, {**good, name: value}).status_code)
        for url, good in forms.items()
        for name in good
        for value in BAD_VALUES
    }

    assert {status for _, _, status in statuses} == {400}
    assert Matter.objects.count() == 1 and matter.events.count() == matter.costs.count() == 0
    assert not matter.documents.exists()
    matter.refresh_from_db()
    assert matter.status == "open"
    assert [client.post(url, good).status_code for url, good in forms.items()] == [302] * 5


def test_starting_a_matter_from_the_case_goes_to_its_page_and_ends_the_referral(
    world: World,
) -> None:
    case = world.cases["E2E-A1"]
    party = LoanParty.objects.get(loan=case.loan, role="borrower").party
    WorkItem.objects.create(
        case=case,
        loan=case.loan,
        party=party,
        planned_action_id=990_001,
        type="legal_referral",
        queue="legal",
        title="移交法务提起诉讼",
        due_at=timezone.now(),
    )
    client = client_of(world.users["legal"])
    before = client.get("/legal/").content.decode()

    answer = client.post(
        f"/legal/matters/new/?case={case.pk}",
        {"case": case.pk, "kind": "lawsuit", "court": "朝阳法院", "on": world.today.isoformat()},
    )

    matter = Matter.objects.get()
    assert f'data-case="{case.pk}"' in before and "移交法务提起诉讼" in before
    assert answer.status_code == 302 and answer["Location"] == f"/legal/matters/{matter.pk}/"
    assert (matter.kind, matter.court, matter.loan_id) == ("lawsuit", "朝阳法院", case.loan_id)
    assert 'data-testid="referral"' not in client.get("/legal/").content.decode()


def test_the_case_page_marks_litigation_for_everyone_and_offers_the_legal_desk_a_matter(
    world: World,
) -> None:
    case = world.cases["E2E-A1"]
    legal = client_of(world.users["legal"])
    assert 'data-testid="litigation"' not in legal.get(f"/cases/{case.pk}/").content.decode()
    matter = lawsuit(world)

    collectors = client_of(world.users["collector1"]).get(f"/cases/{case.pk}/").content.decode()
    officers = legal.get(f"/cases/{case.pk}/").content.decode()

    assert 'data-testid="litigation"' in collectors and "In litigation" in collectors
    assert "北京市朝阳区人民法院" in collectors and "Lawsuit" in collectors
    assert f"/legal/matters/{matter.pk}/" not in collectors, "a collector has no legal desk"
    assert 'data-testid="start-matter"' not in collectors
    assert f"/legal/matters/{matter.pk}/" in officers and 'data-testid="start-matter"' in officers


def test_the_home_page_lists_deadlines_soonest_first_with_missed_ones_marked(
    world: World,
) -> None:
    legal = world.users["legal"]
    earlier = world.today - timedelta(days=12)
    late = lawsuit(world, "E2E-A1", on=earlier)
    matter_event_record(matter=late, kind="accepted", on=earlier, user=legal)  # due 5 days ago
    fresh = lawsuit(world, "E2E-A2")
    matter_event_record(matter=fresh, kind="accepted", on=world.today, user=legal)  # in 7 days

    home = client_of(legal).get("/").content.decode()
    collectors = client_of(world.users["manager"]).get("/").content.decode()

    rows = re.findall(r'<tr data-testid="deadline"[^>]*>.*?</tr>', home, flags=re.S)
    assert len(rows) == 2
    assert 'data-missed="1"' in rows[0] and f"/legal/matters/{late.pk}/" in rows[0]
    assert "missed by 5 days" in rows[0]
    assert "data-missed" not in rows[1] and "7 days" in rows[1]
    assert 'data-testid="home-deadlines"' in collectors, "a manager reads the desk too"


def test_the_matters_list_costs_the_same_queries_for_one_matter_or_several(world: World) -> None:
    client = client_of(world.users["legal"])
    lawsuit(world, "E2E-A1")
    client.get("/legal/")
    with CaptureQueriesContext(connection) as one:
        client.get("/legal/")
    for loan_id in ("E2E-A2", "E2E-A3", "E2E-B1"):
        matter = lawsuit(world, loan_id)
        matter_event_record(
            matter=matter, kind="accepted", on=world.today, user=world.users["legal"]
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get("/legal/").content.decode()

    assert page.count('data-testid="matter-row"') == 4
    assert len(one.captured_queries) == len(many.captured_queries)


def test_a_drafted_paper_downloads_once_audited_and_only_in_scope(
    world: World, tmp_path: Path
) -> None:
    matter = lawsuit(world)
    legal = client_of(world.users["legal"])

    drafted = legal.post(
        f"/legal/matters/{matter.pk}/documents/",
        {
            "kind": "complaint",
            "fmt": "docx",
            "as_of": world.today.isoformat(),
            "loan": matter.loan_id,
        },
    )
    document = matter.documents.get()
    url = f"/legal/documents/{document.pk}/download/"
    download = legal.get(url)
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]

    assert drafted.status_code == 302
    assert download.status_code == 200 and body[:2] == b"PK"
    assert download["Content-Disposition"].startswith("attachment")
    assert AuditEntry.objects.filter(action="legal.download", subject_id=str(document.pk)).exists()
    assert client_of(world.users["collector1"]).get(url).status_code == 403
    stranger = User.objects.create_user("lawyer2", role="legal_officer")
    stranger.creditors.add(Creditor.objects.create(name="另一家"))
    assert client_of(stranger).get(url).status_code == 404


# --- Every word in Chinese ---------------------------------------------------------------


@pytest.fixture
def chinese(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


def test_every_word_of_the_legal_pages_is_chinese(chinese: None, tmp_path: Path) -> None:
    world = world_in_chinese(tmp_path)
    legal = world.users["legal"]
    case = world.cases["E2E-A1"]
    matter = matter_open(
        loan=case.loan,
        kind="lawsuit",
        on=world.today,
        court="北京市朝阳区人民法院",
        user=legal,
    )
    matter_event_record(matter=matter, kind="accepted", on=world.today, user=legal)
    client = client_of(legal)
    client.post(
        f"/legal/matters/{matter.pk}/documents/",
        {
            "kind": "complaint",
            "fmt": "docx",
            "as_of": world.today.isoformat(),
            "loan": case.loan_id,
        },
    )
    refused = client.post(
        f"/legal/matters/{matter.pk}/events/", {"kind": "served", "on": "1999-01-01"}
    )
    pages = {
        path: client.get(path)
        for path in (
            "/",
            "/legal/",
            "/legal/?status=all",
            f"/legal/matters/{matter.pk}/",
            f"/legal/matters/new/?case={world.cases['E2E-A2'].pk}",
            f"/cases/{case.pk}/",
        )
    }
    pages["collector's case"] = client_of(world.users["collector1"]).get(f"/cases/{case.pk}/")
    pages["collector's refusal"] = client_of(world.users["collector1"]).get("/legal/")
    pages["a refused event"] = refused

    texts = {name: visible_text(answer.content.decode()) for name, answer in pages.items()}
    found = {name: english_words(text) - CODES for name, text in texts.items()}

    assert [answer.status_code for answer in pages.values()] == [200] * 7 + [403, 400]
    assert "诉讼中" in texts["collector's case"] and "法务" in texts["/legal/"]
    assert "无权" in texts["collector's refusal"]
    assert {name: words for name, words in found.items() if words} == {}
