"""The unmatched payments page: notices a provider sent that found no open loan, listed for
a manager of their creditor, matched to a loan by hand (review, then confirm) — posted to
the ledger, audited, and the day's calls of a loan brought current withdrawn."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from arrears.cases.models import WorkItem
from arrears.core.models import AuditEntry
from arrears.portfolio.models import Creditor, LoanParty, Payment, PaymentNotice
from arrears.portfolio.selectors import loan_state
from arrears.portfolio.services.notices import NoticeIn, notice_record
from tests.e2e.world import World, world_build
from tests.workbench.test_every_word import english_words, visible_text

pytestmark = pytest.mark.django_db

PAGE = "/payments/unmatched/"


@pytest.fixture
def world(tmp_path: Path) -> World:
    return world_build(tmp_path)


def notice(transaction_id: str, loan_id: str, amount: int) -> PaymentNotice:
    """A generic provider's notice, paid an hour ago, recorded as the endpoint records it."""
    return notice_record(
        incoming=NoticeIn(
            provider="generic",
            transaction_id=transaction_id,
            loan_id=loan_id,
            amount=amount,
            paid_at=timezone.now() - timedelta(hours=1),
            raw_body=b"{}",
        )
    ).notice


def signed_in(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.users[username])
    return client


def test_a_manager_sees_the_unmatched_payments_of_their_creditor(world: World) -> None:
    waiting = notice("2026120600001", "E2E-X9", 50_000)
    other = Creditor.objects.create(name="别家小贷")
    foreign = notice("2026120600002", "E2E-X8", 70_000)
    PaymentNotice.objects.filter(pk=foreign.pk).update(creditor=other)

    page = signed_in(world, "manager").get(PAGE)

    assert page.status_code == 200
    assert waiting.status == "unmatched"
    assert b'data-testid="notice-%d"' % waiting.pk in page.content
    assert b"2026120600002" not in page.content
    assert b"500.00" in page.content


def test_a_manager_matches_one_to_a_loan_after_reviewing_it(world: World) -> None:
    case = world.cases["E2E-A1"]
    loan = case.loan
    today = timezone.localdate()
    overdue = loan_state(loan, as_of=today).overdue.total
    waiting = notice("2026120600003", "E2E-X9", overdue)
    call = WorkItem.objects.create(
        case=case,
        loan=loan,
        party=LoanParty.objects.get(loan=loan, role="borrower").party,
        planned_action_id=990_001,
        type="call",
        title="call the borrower",
        due_at=timezone.now(),
    )
    client = signed_in(world, "manager")

    review = client.post(PAGE, {"notice": waiting.pk, "loan_id": "E2E-A1", "step": "review"})
    assert review.status_code == 200
    assert b'data-testid="match-review"' in review.content
    assert not Payment.objects.filter(payment_id="generic:2026120600003").exists()

    confirmed = client.post(PAGE, {"notice": waiting.pk, "loan_id": "E2E-A1", "step": "confirm"})

    assert confirmed.status_code == 302
    payment = Payment.objects.get(payment_id="generic:2026120600003")
    assert (payment.loan, payment.amount, payment.channel) == (loan, overdue, "generic")
    waiting.refresh_from_db()
    assert (waiting.status, waiting.payment, waiting.matched_by) == (
        "matched",
        payment,
        world.users["manager"],
    )
    entry = AuditEntry.objects.get(action="payment_notice.match")
    assert (entry.actor_name, entry.subject_id, entry.data["loan"]) == (
        "manager",
        str(waiting.pk),
        "E2E-A1",
    )
    assert AuditEntry.objects.filter(action="payment.post", actor_name="manager").exists()
    # Brought current: today's calls are withdrawn at once, as for an API payment.
    call.refresh_from_db()
    assert call.status == "cancelled"
    assert b"2026120600003" not in client.get(PAGE).content


def test_a_loan_outside_the_manager_s_scope_cannot_be_chosen(world: World) -> None:
    other = Creditor.objects.create(name="别家小贷")
    waiting = notice("2026120600004", "E2E-X9", 1_000)
    world.users["manager"].creditors.add(other)

    answer = signed_in(world, "manager").post(
        PAGE, {"notice": waiting.pk, "loan_id": "NOT-A-LOAN", "step": "confirm"}
    )

    assert answer.status_code == 400
    assert b'data-testid="match-errors"' in answer.content
    assert not Payment.objects.exists()
    waiting.refresh_from_db()
    assert waiting.status == "unmatched"


def test_a_collector_may_neither_see_nor_match_them(world: World) -> None:
    waiting = notice("2026120600005", "E2E-X9", 1_000)
    client = signed_in(world, "collector1")

    seen = client.get(PAGE)
    matched = client.post(PAGE, {"notice": waiting.pk, "loan_id": "E2E-A1", "step": "confirm"})

    assert (seen.status_code, matched.status_code) == (403, 403)
    assert not Payment.objects.exists()
    assert b"nav-payments" not in client.get("/queue/").content


def test_the_page_s_queries_do_not_grow_with_its_rows(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(world, "manager")
    notice("2026120600010", "E2E-X9", 100)
    client.get(PAGE)
    with django_assert_max_num_queries(30) as one:
        client.get(PAGE)
    for number in range(11, 21):
        notice(f"20261206000{number}", "E2E-X9", 100)

    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(PAGE)


@pytest.fixture
def chinese(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


def test_every_word_on_the_page_is_chinese(world: World, chinese: None) -> None:
    closed = world.cases["E2E-B1"].loan
    type(closed).objects.filter(pk=closed.pk).update(status="closed")
    first = notice("2026120600020", "E2E-X9", 12_345)
    notice("2026120600021", "E2E-B1", 500)
    client = signed_in(world, "manager")

    pages = {
        "list": client.get(PAGE),
        "review": client.post(PAGE, {"notice": first.pk, "loan_id": "E2E-A1", "step": "review"}),
        "refused": client.post(PAGE, {"notice": first.pk, "loan_id": "E2E-Z1", "step": "review"}),
        "home": client.get("/"),
        "collector": signed_in(world, "collector1").get(PAGE),
    }

    words = {
        name: english_words(visible_text(page.content.decode())) for name, page in pages.items()
    }
    assert words == {name: set() for name in pages}
