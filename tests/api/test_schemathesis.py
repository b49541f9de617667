"""Schemathesis against the live OpenAPI schema: every operation of ``/api/v1/``, called
as every role, answers no server error and nothing its schema does not promise.

The schema is read from ``/api/v1/openapi.json`` of the real WSGI application (every
middleware included) and each of its operations is fuzzed: schemathesis' coverage phase
(boundary values, missing and wrong-typed parameters, methods the path does not serve)
and a bounded number of generated requests, valid and invalid, with a fixed seed so CI
sees the same requests every run. Each request is sent with the token of a role drawn
from every role (or none), and valid ones are often aimed at the small world's real case,
loan, party and webhook secrets, so the answers that succeed are judged too, not only the
refusals.

Checks: no 5xx; the status code, the body and the content type each documented for the
operation; headers as documented; a 405 with ``Allow`` for a method the path does not
serve; an operation that demands authentication refuses a request without it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from unittest import mock

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.accounts.services import api_token_create
from arrears.cases.models import CollectionCase
from arrears.config.wsgi import application
from arrears.portfolio.models import ContactPoint, Creditor
from tests.api.test_cases_api import world as world
from tests.workbench.test_queue import SHANGHAI

pytestmark = pytest.mark.django_db

SEED = 20261219
# Generated requests per operation in the fuzzing phase, on top of the coverage phase's
# own (a few dozen per operation): enough to walk every parameter, few enough that the
# whole test stays within about a minute on a 2-core machine.
MAX_EXAMPLES = 100
SECRET = "schemathesis-s3cret"
PATH_TOKEN = "schemathesis-path-token"
ANONYMOUS = "anonymous"
# A token scope: one manager's token carries it, beside a token for each role.
SCOPED = "payments:write"

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            "no-shrink": True,
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "response_headers_conformance": {"enabled": True},
            "unsupported_method": {"enabled": True},
            "missing_required_header": {"enabled": True},
            "ignored_auth": {"enabled": True},
        },
    }
)


@pytest.fixture(autouse=True)
def _connection_kept_across_requests() -> Iterator[None]:
    """Keep the test's database connection (and its transaction) across WSGI requests.

    Django's WSGI handler closes connections it thinks stale at the start and end of
    each request, which inside the test's transaction would poison it; Django's own
    test client unhooks the same signal handler for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(world: dict[str, Any], creditor: Creditor) -> dict[str, str]:
    """A bearer token for a person in each role, scoped as people of that role are: the
    collector has the world's own case, the field agent and team lead share its team, the
    others are given the creditor (the administrator sees everything anyway); and a
    manager's token with the ``payments:write`` scope."""
    me: User = world["me"]
    people: dict[str, User] = {Role.COLLECTOR: me}
    for role in Role.values:
        if role == Role.COLLECTOR:
            continue
        user = User.objects.create_user(f"fuzz-{role}", role=role, team=me.team)
        user.creditors.add(creditor)
        people[role] = user
    issued = {role: api_token_create(user=user, name="fuzz")[1] for role, user in people.items()}
    token, issued[SCOPED] = api_token_create(user=people[Role.MANAGER], name="fuzz-scoped")
    token.scopes = SCOPED
    token.save(update_fields=["scopes"])
    return issued


@pytest.fixture(autouse=True)
def _webhook_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARREARS_RECEIPT_SECRET", SECRET)
    monkeypatch.setenv("ARREARS_RECEIPT_PATH_TOKEN", PATH_TOKEN)


@pytest.fixture(autouse=True)
def _mid_morning() -> Iterator[None]:
    """Today at 10:30 in Shanghai, whenever CI runs: the gate refuses calls at night, and
    the same requests should meet the same answers (a contact recorded, not refused)."""
    morning = datetime.combine(timezone.localdate(), time(10, 30), tzinfo=SHANGHAI)
    with mock.patch.object(timezone, "now", return_value=morning):
        yield


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)

ROLES = [*Role.values, ANONYMOUS, SCOPED]
# What a valid generated request is aimed at: left as generated, the world's own case
# (and its loan and party), another team's, or the own case with a body known to be good,
# sent as a role that may do it, so the success answers are judged as well as refusals.
TARGETS = ["generated", "mine", "theirs", "good", "good"]


def _turn(case: schemathesis.Case) -> tuple[str, str]:
    """The role a request is sent as, and what it is aimed at, drawn from the request
    itself: every role gets its share of every operation's requests, and a request
    replayed to report a failure is sent exactly as before. (Schemathesis' coverage
    phase, which sends methods a path does not serve and boundary values, runs only for
    tests that draw nothing of their own, hence no ``@schema.given``.)"""
    seen = repr((case.method, case.path_parameters, case.query, case.headers, case.body))
    turn = zlib.crc32(seen.encode("utf-8", "surrogatepass"))
    return ROLES[turn % len(ROLES)], TARGETS[turn // len(ROLES) % len(TARGETS)]


def _good(case: schemathesis.Case, party_id: int, turn: int) -> str | None:
    """Replace ``case``'s body with one its endpoint accepts; answers the role to send it
    as (None: keep the drawn one)."""
    soon = (timezone.localdate() + timedelta(days=5)).isoformat()
    writers = [Role.COLLECTOR, Role.TEAM_LEAD]
    if case.path.endswith("/contacts"):
        case.body = {"party_id": party_id, "channel": "call", "party_reached": "borrower"}
        case.body["outcome"] = "right_party" if turn % 2 else "promise"
        if turn % 2 == 0:
            case.body.update({"promise_amount": "100.00", "promise_due_on": soon})
        return writers[turn % 2]
    if case.path.endswith("/promises"):
        case.body = {"party_id": party_id, "amount": "100.00", "due_on": soon}
        return writers[turn % 2]
    if case.path.endswith("/plans"):
        case.body = {"total": "3000.00", "down_payment": "300.00", "installments": 3}
        case.body.update({"start_on": soon, "reason": "fuzz"})
        return [*writers, Role.MANAGER][turn % 3]
    if case.path == "/api/v1/payments":
        case.body = {"payment_id": f"FZ-{turn}", "loan_id": "MINE", "amount": "100.00"}
        case.body["paid_on"] = timezone.localdate().isoformat()
        case.headers = {**(case.headers or {}), "Idempotency-Key": f"fz-{turn}"}
        return SCOPED
    if case.path.endswith("/receipts/{channel}"):
        case.body = [{"id": "arrears-1", "status": "delivered"}]
    elif case.path.endswith("/inbound/sms"):
        case.body = {"from": "13800138000", "text": "TD"}
    elif case.path.startswith("/api/v1/loans/"):
        case.query = {}
    return None


def _aim(case: schemathesis.Case, world: dict[str, Any], target: str, role: str) -> str:
    """Point a valid generated request at the world's real case, loan, party and webhook
    credentials; answers the role to send it as."""
    chosen: CollectionCase = world["cases"]["THEIRS" if target == "theirs" else "MINE"]
    path = case.path_parameters if case.path_parameters is not None else {}
    if "case_id" in path:
        path["case_id"] = chosen.pk
    if "loan_id" in path:
        path["loan_id"] = chosen.loan.loan_id
    if "token" in path and case.path.startswith("/api/v1/outreach/p/"):
        path["token"] = PATH_TOKEN
    if "channel" in path:
        path["channel"] = "sms"
    if "provider" in path:
        path["provider"] = "alipay" if target == "theirs" else "generic"
    if case.path.startswith("/api/v1/outreach/"):
        case.headers = {**(case.headers or {}), "X-Arrears-Secret": SECRET}
    party_id = chosen.loan.loan_parties.values_list("party_id", flat=True).first()
    assert party_id is not None
    if target == "good":
        return _good(case, party_id, zlib.crc32(repr(case.body).encode())) or role
    body = case.body
    if isinstance(body, dict):
        if "party_id" in body:
            body["party_id"] = party_id
        if body.get("contact_point_id") is not None:
            point = ContactPoint.objects.filter(party_id=party_id).first()
            body["contact_point_id"] = point.pk if point else None
    return role


@schema.parametrize()
# The world and the tokens are built once per operation and shared by its examples on
# purpose: a request may change it (a promise taken), as requests to a live API do.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_operation_answers_as_documented_for_every_role(
    case: schemathesis.Case, tokens: dict[str, str], world: dict[str, Any]
) -> None:
    role, target = _turn(case)
    if target != "generated" and case.meta is not None and case.meta.generation.mode.is_positive:
        role = _aim(case, world, target, role)
    headers = {}
    token = tokens.get(role)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    case.call_and_validate(headers=headers)


def test_every_operation_documents_its_errors_as_json_with_a_detail() -> None:
    """The schema the fuzzer reads documents, for every operation, the guard's 400 and 413
    and every error as a JSON object with ``detail`` (``api.errors.error_responses``)."""
    raw = schema.raw_schema
    undocumented = []
    for path, methods in raw["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            errors = {status for status in responses if status.startswith("4")}
            missing = {"400", "413"} - errors
            for status in errors:
                content = responses[status].get("content", {}).get("application/json", {})
                reference = content.get("schema", {}).get("$ref", "")
                found = raw["components"]["schemas"].get(reference.rsplit("/", 1)[-1], {})
                if "detail" not in found.get("required", ()):
                    missing.add(status)
            if missing:
                undocumented.append(f"{method.upper()} {path}: {sorted(missing)}")

    assert len(raw["paths"]) >= 10
    assert not undocumented, "errors without a documented JSON body:\n" + "\n".join(undocumented)
