"""Idempotency keys on the creating POSTs: the same request sent again with the same key
gets the first answer and creates nothing; the same key with another request is refused;
keys expire after 24 h. Finding 11 (50 identical concurrent promise posts made 50
promises) is replayed against a served instance with real threads."""

from __future__ import annotations

import http.client
import json
import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from arrears.accounts.models import User
from arrears.api.models import IdempotentRequest
from arrears.cases.models import Activity, CollectionCase, Promise
from arrears.portfolio.models import Party
from tests.api.test_cases_api import bearer
from tests.api.test_cases_api import world as world
from tests.scratch import Scratch, arrears, free_port, gunicorn_serve

KEY = "Idempotency-Key"


@pytest.fixture
def api(world: dict[str, Any]) -> dict[str, Any]:
    case: CollectionCase = world["cases"]["MINE"]
    return {
        "client": Client(raise_request_exception=False),
        "auth": bearer(world["me"]),
        "case": case,
        "party": Party.objects.get(name="张三"),
        "due": (timezone.localdate() + timedelta(days=5)).isoformat(),
    }


def promise_post(api: dict[str, Any], key: str | None, amount: str = "1,500.00") -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api["client"].post(
        f"/api/v1/cases/{api['case'].pk}/promises",
        {"party_id": api["party"].pk, "amount": amount, "due_on": api["due"]},
        content_type="application/json",
        **api["auth"],
        **headers,
    )


@pytest.mark.django_db
def test_the_same_promise_sent_again_with_its_key_gets_the_first_answer(
    api: dict[str, Any],
) -> None:
    first = promise_post(api, "promise-1")
    again = promise_post(api, "promise-1")

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Promise.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_nothing_is_stored_or_replayed(api: dict[str, Any]) -> None:
    answers = [promise_post(api, None), promise_post(api, None)]

    assert [answer.status_code for answer in answers] == [201, 201]
    assert all("Idempotent-Replayed" not in answer for answer in answers)
    assert not IdempotentRequest.objects.exists()


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(api: dict[str, Any]) -> None:
    promise_post(api, "promise-1", amount="1,500.00")
    other = promise_post(api, "promise-1", amount="1,600.00")

    assert other.status_code == 422
    assert other.json()["field"] == KEY
    assert list(Promise.objects.values_list("amount", flat=True)) == [150000]


@pytest.mark.django_db
def test_a_key_is_forgotten_after_24_hours(api: dict[str, Any]) -> None:
    promise_post(api, "promise-1", amount="1,500.00")
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))

    later = promise_post(api, "promise-1", amount="1,600.00")

    assert later.status_code == 201 and "Idempotent-Replayed" not in later
    assert sorted(Promise.objects.values_list("amount", flat=True)) == [150000, 160000]
    assert IdempotentRequest.objects.count() == 1, "the expired answer was purged"


@pytest.mark.django_db
def test_a_refused_request_keeps_nothing_and_frees_its_key(api: dict[str, Any]) -> None:
    refused = promise_post(api, "promise-1", amount="lots")
    corrected = promise_post(api, "promise-1", amount="1,500.00")

    assert refused.status_code == 400 and corrected.status_code == 201
    assert Promise.objects.count() == 1 and IdempotentRequest.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_their_user(api: dict[str, Any], world: dict[str, Any]) -> None:
    colleague: User = world["other"]
    promise_post(api, "shared")
    api_of_colleague = {**api, "auth": bearer(colleague)}
    mine: CollectionCase = world["cases"]["MINE"]
    mine.assignee = None
    mine.save(update_fields=["assignee"])

    theirs = promise_post(api_of_colleague, "shared", amount="9.00")

    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert Promise.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "clé"])
def test_a_malformed_key_is_a_field_error(api: dict[str, Any], key: str) -> None:
    response = promise_post(api, key)

    assert response.status_code == 400 and response.json()["field"] == KEY
    assert not Promise.objects.exists()


@pytest.mark.django_db
def test_a_contact_with_its_key_is_recorded_once(api: dict[str, Any]) -> None:
    at = timezone.localtime().replace(second=0, microsecond=0) - timedelta(minutes=1)
    body = {
        "party_id": api["party"].pk,
        "channel": "call",
        "party_reached": "borrower",
        "outcome": "no_answer",
        "at": at.isoformat(),
    }
    path = f"/api/v1/cases/{api['case'].pk}/contacts"

    answers = [
        api["client"].post(
            path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="c-1", **api["auth"]
        )
        for _ in range(3)
    ]

    assert len({(a.status_code, a.content) for a in answers}) == 1
    assert [a.get("Idempotent-Replayed") for a in answers] == [None, "true", "true"]
    assert Activity.objects.count() == (1 if answers[0].status_code == 201 else 0)


# --- served: twenty threads, one key ------------------------------------------------------

PREPARE = """
import json, tempfile
from io import StringIO
from pathlib import Path
from django.core.management import call_command
from arrears.accounts.models import Team, User
from arrears.accounts.services import api_token_create
from arrears.cases.models import CollectionCase
from arrears.portfolio.models import Creditor
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv
creditor = Creditor.objects.create(name="幂等测试小贷")
tape = write_csv(Path(tempfile.mkdtemp()) / "l.csv", [loan_row("IDEM-1", borrower_name="张三")])
tape_ingest(creditor=creditor, kind="loans", path=tape)
call_command("cycle", "--date", "2026-03-10", "--json", stdout=StringIO())
case = CollectionCase.objects.get()
team = Team.objects.create(name="idem", creditor=creditor, buckets="M1")
user = User.objects.create_user("idem", role="collector", team=team)
case.team, case.assignee = team, user
case.save(update_fields=["team", "assignee"])
party = case.loan.loan_parties.get(role="borrower").party_id
token = api_token_create(user=user, name="t")[1]
print(json.dumps({"case": case.pk, "party": party, "token": token}))
"""
COUNT = """
import json
from arrears.api.models import IdempotentRequest
from arrears.cases.models import Promise
print(json.dumps([Promise.objects.count(), IdempotentRequest.objects.count()]))
"""


def _post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("Idempotent-Replayed") or ""
    finally:
        connection.close()


def test_twenty_concurrent_posts_with_one_key_make_one_promise(scratch: Scratch) -> None:
    name = f"arrears_api_idem_{uuid.uuid4().hex[:8]}"
    scratch.create_migrated(name)
    prepared = arrears(scratch, name, "shell", "-c", PREPARE)
    assert prepared.returncode == 0, prepared.stderr
    world = json.loads(prepared.stdout.strip().splitlines()[-1])
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    body = json.dumps({"party_id": world["party"], "amount": "1,500.00", "due_on": due}).encode()
    headers = {
        "Authorization": f"Bearer {world['token']}",
        "Content-Type": "application/json",
        KEY: str(uuid.uuid4()),
    }
    path = f"/api/v1/cases/{world['case']}/promises"
    port = free_port()
    server = gunicorn_serve(scratch, name, port, workers=2, threads=10)
    answers: list[tuple[int, bytes, str]] = []
    start = threading.Barrier(20)

    def one() -> None:
        start.wait()
        answers.append(_post(port, path, body, headers))

    try:
        threads = [threading.Thread(target=one) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    counted = arrears(scratch, name, "shell", "-c", COUNT)
    assert counted.returncode == 0, counted.stderr
    promises, keys = json.loads(counted.stdout.strip().splitlines()[-1])

    assert len(answers) == 20
    assert {(status, content) for status, content, _ in answers} == {answers[0][:2]}
    assert answers[0][0] == 201, answers[0]
    assert sorted(replayed for _, _, replayed in answers) == [""] + ["true"] * 19
    assert (promises, keys) == (1, 1)
