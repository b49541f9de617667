"""Fuzz the pages' forms: over 2,000 generated bad values posted through the real case,
promise, hold, plan and settlement pages as the case's collector. Never a server error,
never a redirect (the sign of an accepted form), nothing written."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from arrears.cases.models import Activity, Promise, RepaymentPlan, Settlement
from arrears.compliance.models import Hold
from arrears.portfolio.models import Creditor, LoanParty
from tests.cases.test_plans import World, make_world

pytestmark = pytest.mark.django_db

SEED = 1414
Bad = Callable[[random.Random], str]


def _digits(rng: random.Random, low: int, high: int) -> str:
    return str(rng.randint(1, 9)) + "".join(
        rng.choice("0123456789") for _ in range(rng.randint(low, high) - 1)
    )


def _junk(rng: random.Random) -> str:
    alphabet = "abcXYZ!#$%^&*()[]{};:'\"<>?/\\|`~ 张三¥€\u200b=+-@\t"
    return "x" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))


def bad_amount(rng: random.Random) -> str:
    return rng.choice(
        [
            _digits(rng, 11, 40),
            f"{_digits(rng, 11, 25)}.{rng.randint(10, 99)}",
            f"{int(_digits(rng, 11, 30)):,}",
            f"-{rng.randint(1, 10**9)}",
            f"{rng.randint(1, 999)}.{rng.randint(10, 99)}{rng.randint(1, 9)}",
            _junk(rng),
            rng.choice(["NaN", "inf", "1e999", "--1", "1.2.3", "9" * 5000, "\x00"]),
        ]
    )


def bad_date(rng: random.Random) -> str:
    today = timezone.localdate()
    year = rng.choice([rng.randint(1, 1899), rng.randint(2101, 9999)])
    return rng.choice(
        [
            f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "9999-12-31",
            "0001-01-01",
            f"2026-{rng.randint(13, 99)}-01",
            f"{rng.randint(10000, 10**9)}-01-01",
            (today + timedelta(days=rng.randint(400, 27_000))).isoformat(),
            _junk(rng),
            "\x00",
        ]
    )


def bad_datetime(rng: random.Random) -> str:
    year = rng.choice([rng.randint(1, 1899), rng.randint(2101, 9999)])
    return rng.choice(
        [
            f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00",
            "9999-12-31T23:59",
            "0001-01-01T00:00",
            f"2026-01-01T{rng.randint(24, 99)}:00",
            _junk(rng),
        ]
    )


def bad_id(rng: random.Random) -> str:
    return rng.choice(
        [_digits(rng, 20, 60), "0", f"-{rng.randint(1, 10**20)}", "1e5", _junk(rng), "1.5"]
    )


def bad_count(low: int, high: int) -> Bad:
    def bad(rng: random.Random) -> str:
        return rng.choice(
            [
                str(rng.randint(high + 1, 10**6)),
                str(low - rng.randint(1, 10**6)),
                _digits(rng, 20, 400),
                _junk(rng),
                "1.5",
            ]
        )

    return bad


def bad_text(rng: random.Random) -> str:
    return rng.choice(["t" * rng.randint(4001, 9000), "bad\x00text"])


def bad_choice(rng: random.Random) -> str:
    return _junk(rng)


def bad_down_payment(rng: random.Random) -> str:
    return rng.choice(
        [
            bad_amount(rng),
            f"{rng.randint(101, 10**9)}%",
            f"-{rng.randint(1, 99)}%",
            "1e999%",
            "NaN%",
            f"{_digits(rng, 30, 60)}%",
        ]
    )


def _pages(world: World, party: int) -> list[tuple[str, dict[str, str], dict[str, Bad]]]:
    today = timezone.localdate().isoformat()
    later = (timezone.localdate() + timedelta(days=30)).isoformat()
    case = f"/cases/{world.case.pk}"
    return [
        (
            f"{case}/plans/new/",
            {
                "total": "1,000.00",
                "down_payment": "30%",
                "installments": "6",
                "start_on": later,
                "tolerance_days": "3",
                "reason": "r",
                "request": "1",
            },
            {
                "total": bad_amount,
                "down_payment": bad_down_payment,
                "installments": bad_count(1, 60),
                "start_on": bad_date,
                "tolerance_days": bad_count(0, 30),
            },
        ),
        (
            f"{case}/settlements/new/",
            {"pay_amount": "100", "pay_by": today, "reason": "r", "waive_penalty": "0"},
            {
                "waive_penalty": bad_amount,
                "waive_interest": bad_amount,
                "waive_fees": bad_amount,
                "waive_principal": bad_amount,
                "pay_amount": bad_amount,
                "pay_by": bad_date,
            },
        ),
        (
            f"{case}/promises/",
            {"party": str(party), "amount": "100", "due_on": today, "tolerance_days": "2"},
            {
                "party": bad_id,
                "amount": bad_amount,
                "due_on": bad_date,
                "tolerance_days": bad_count(0, 30),
            },
        ),
        (
            f"{case}/contacts/",
            {
                "channel": "call",
                "party": str(party),
                "party_reached": "borrower",
                "outcome": "promise",
                "promise_amount": "100",
                "promise_due_on": today,
            },
            {
                "channel": bad_choice,
                "party": bad_id,
                "contact_point": bad_id,
                "party_reached": bad_choice,
                "outcome": bad_choice,
                "reason": bad_choice,
                "notes": bad_text,
                "next_follow_up_at": bad_datetime,
                "staff": bad_count(1, 9),
                "promise_amount": bad_amount,
                "promise_due_on": bad_date,
            },
        ),
        (
            f"{case}/holds/",
            {"kind": "dispute", "party": str(party), "reason": "r"},
            {"kind": bad_choice, "party": bad_id, "reason": bad_text},
        ),
    ]


def written() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Activity, Promise, RepaymentPlan, Settlement, Hold)
    )


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path) -> World:
    return make_world(creditor, tmp_path, loan_id="Z1")


def test_two_thousand_bad_form_values_never_make_a_server_error_or_a_write(
    world: World,
) -> None:
    rng = random.Random(SEED)
    client = Client()
    client.force_login(world.collector)
    party = LoanParty.objects.get(loan=world.case.loan, role="borrower").party_id
    pages = _pages(world, party)
    before = written()
    values, posts, statuses = 0, 0, set()

    while values < 2000:
        # The case page renders slowly, the plan pages fast: they get more of the posts.
        url, base, bad = rng.choices(pages, weights=[5, 5, 1, 1, 1])[0]
        if rng.random() < 0.5:
            fields = sorted(bad)
        else:
            fields = rng.sample(sorted(bad), rng.randint(1, min(3, len(bad))))
        form = {**base, **{field: bad[field](rng) for field in fields}}
        # Client raises any exception a view lets escape, as a 500 would.
        response = client.post(url, form)
        statuses.add(response.status_code)
        assert response.status_code in (200, 400), (url, form, response.status_code)
        values += len(fields)
        posts += 1

    assert written() == before
    assert posts >= 400 and statuses <= {200, 400}
