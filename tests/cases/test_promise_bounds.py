"""A promise's bounds in the service (an amount above zero, within the ceiling and what the
loan owes; a date within 1900–2100 and the horizon) and the same promise taken twice being
one promise."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client

from arrears.accounts.models import User
from arrears.accounts.services import api_token_create
from arrears.cases.models import Activity, CollectionCase, Promise
from arrears.cases.services import promise_create
from arrears.core.errors import InvalidInput
from arrears.core.models import AuditEntry
from arrears.portfolio.models import Creditor, Party
from arrears.portfolio.selectors import loan_state
from tests.cases.test_activity_record import record
from tests.factories import loan_row
from tests.workbench.test_queue import ON, assign, build_cases, people

pytestmark = pytest.mark.django_db
DUE = ON + timedelta(days=3)


@pytest.fixture
def setup(creditor: Creditor, tmp_path: Path) -> tuple[CollectionCase, User, Party]:
    cases = build_cases(creditor, tmp_path, [loan_row("A1", borrower_name="张三")])
    team, me, _other = people(creditor)
    assign(cases["A1"], team, me)
    return cases["A1"], me, Party.objects.get(name="张三")


def owed(case: CollectionCase) -> int:
    state = loan_state(case.loan, as_of=ON)
    return sum(item.outstanding.total for item in state.installments) - state.credit_balance


def refused(call: object, field: str) -> str:
    with pytest.raises(InvalidInput) as raised:
        call()  # type: ignore[operator]
    assert raised.value.field == field
    return str(raised.value)


def test_an_amount_of_ten_to_the_eighteen_fen_is_refused_not_overflowed(
    setup: tuple[CollectionCase, User, Party], client: Client
) -> None:
    case, me, party = setup
    token = api_token_create(user=me, name="t")[1]

    message = refused(
        lambda: promise_create(case=case, party=party, amount=10**18, due_on=DUE, by=me, on=ON),
        "promise_amount",
    )
    response = client.post(
        f"/api/v1/cases/{case.pk}/promises",
        {"party_id": party.pk, "amount": "1" + "0" * 16, "due_on": DUE.isoformat()},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert "above the ceiling" in message
    # 422 when the API's schema refuses it first, 400 when the service does: never a 500.
    assert response.status_code in (400, 422) and response.json()["field"], response.content
    assert Promise.objects.count() == 0


def test_a_promise_above_what_the_loan_owes_is_refused(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup
    debt = owed(case)

    message = refused(
        lambda: promise_create(case=case, party=party, amount=debt + 1, due_on=DUE, by=me, on=ON),
        "promise_amount",
    )
    in_full = promise_create(case=case, party=party, amount=debt, due_on=DUE, by=me, on=ON)

    assert "may not exceed what the loan owes" in message
    assert Promise.objects.get().pk == in_full.pk, "the whole debt may be promised"


def test_a_contact_with_a_promise_beyond_the_debt_records_nothing(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup

    refused(
        lambda: record(
            case,
            me,
            party,
            outcome="promise",
            promise_amount=owed(case) + 100,
            promise_due_on=DUE,
        ),
        "promise_amount",
    )

    assert Activity.objects.count() == 0 and Promise.objects.count() == 0


@pytest.mark.parametrize("due_on", [date(9999, 12, 31), date(1899, 12, 31)])
def test_a_promise_date_outside_1900_to_2100_is_refused(
    setup: tuple[CollectionCase, User, Party], due_on: date
) -> None:
    case, me, party = setup

    message = refused(
        lambda: promise_create(case=case, party=party, amount=100, due_on=due_on, by=me, on=ON),
        "promise_due_on",
    )

    assert "between 1900-01-01 and 2100-12-31" in message


def test_the_same_promise_taken_twice_is_one_promise(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup

    first = promise_create(case=case, party=party, amount=10_000, due_on=DUE, by=me, on=ON)
    again = promise_create(case=case, party=party, amount=10_000, due_on=DUE, by=me, on=ON)

    assert again.pk == first.pk and Promise.objects.get().status == "open"
    assert AuditEntry.objects.filter(action="promise.create").count() == 1


def test_a_promise_differing_in_amount_date_or_tolerance_replaces_the_open_one(
    setup: tuple[CollectionCase, User, Party],
) -> None:
    case, me, party = setup
    common = {"case": case, "party": party, "by": me, "on": ON}
    promise_create(amount=10_000, due_on=DUE, **common)  # type: ignore[arg-type]

    promise_create(amount=10_000, due_on=DUE, tolerance_days=0, **common)  # type: ignore[arg-type]
    promise_create(amount=10_000, due_on=DUE + timedelta(days=1), tolerance_days=0, **common)  # type: ignore[arg-type]
    promise_create(amount=12_000, due_on=DUE + timedelta(days=1), tolerance_days=0, **common)  # type: ignore[arg-type]

    statuses = list(Promise.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["cancelled", "cancelled", "cancelled", "open"]
