"""Thousands of generated bad values through every API endpoint's fields: never a server
error, always JSON, a ``detail`` on every 4xx, and nothing written by a refused request.

A seeded generator (deterministic, fast) starts from a valid request for each endpoint and
spoils one to three of its fields with values of the kinds that broke it before or could:
numbers beyond 64 bits, negative and fractional ids, dates in year 1 or 9999 or that do
not exist, wrong types, strings too long or holding NUL, lone surrogates, emoji, right-to-
left marks, amounts beyond the ceiling or in other notations, NaN and Infinity, nulls,
missing and unknown fields; or replaces the whole body (deep JSON, not JSON, a wrong
top-level type, over the size limit); or the path's id, or the Idempotency-Key.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from arrears.accounts.models import User
from arrears.api.models import IdempotentRequest
from arrears.cases.models import Activity, CollectionCase, Promise, RepaymentPlan, WorkItem
from arrears.compliance.models import ContactAttempt, ContactRefusal, Hold
from arrears.core.models import AuditEntry
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import ContactPoint, Creditor, Party
from tests.api.test_cases_api import bearer
from tests.api.test_cases_api import world as world

pytestmark = pytest.mark.django_db

SEED = 20261206
REQUESTS = 5_200
SECRET = "fuzz-s3cret"

HUGE = [10**30, -(10**30), 2**63, 2**64 + 1, -(2**63) - 1, 10**4000]
BAD_NUMBERS: list[Any] = [
    *HUGE,
    2**63 - 1,
    2**31,
    -1,
    0,
    1.5,
    -0.0,
    1e308,
    float("nan"),
    float("inf"),
    True,
    False,
    "12",
    "abc",
    "",
    None,
    [],
    {},
    [1],
    {"a": 1},
    "9" * 400,
    "1e3",
    "０",
    "١٢",
]
BAD_DATES: list[Any] = [
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "2101-01-01",
    "2026-02-30",
    "10000-01-01",
    "",
    "2026-13-01",
    20260101,
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-12:00",
    "0001-01-01T00:00:00+14:00",
    "2026-03-10T25:00:00",
    "0000-00-00",
    "today",
    None,
    1e20,
    -1,
    [],
    {"y": 2026},
    "2026-03-10T10:00:00+99:00",
    "2100-12-31T23:59:59-23:59",
    "1900-01-01T00:00:00+23:59",
    "2026-03-10T10:00:00",
    "2026-W10-1",
    "２０２６-０３-１０",
    "2000-01-01T10:00:00+08:00",
    "2027-06-01T10:00:00+08:00",
    10**30,
]
BAD_TEXT: list[Any] = [
    "",
    " ",
    "x" * 101,
    "x" * 4001,
    "x" * 60_000,
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff x",
    "🙂" * 3000,
    "'; DROP TABLE cases_activity; --",
    "<script>alert(1)</script>",
    "\u202eevil",
    '=HYPERLINK("http://x")',
    "\r\n\t",
    "ｃａｌｌ",
    "call ",
    "CALL",
    "null",
    "NaN",
    None,
    0,
    10**30,
    [],
    {},
    True,
    "%00",
    "../../etc/passwd",
    "\\",
    '"',
    "Ω" * 101,
    "a" + "\u0301" * 1000,
    "\x1b[31m",
    "\ufeff",
]
BAD_AMOUNTS: list[Any] = [
    "1" + "0" * 18,
    "-5",
    "0",
    "0.00",
    "0.001",
    "1e5",
    "NaN",
    "Infinity",
    "¥1,000.00",
    "92233720368547758.07",
    "92,233,720,368,547,758.07",
    " ",
    "1.2.3",
    "١٢٣",
    "9" * 5000,
    "9" * 32,
    "+0",
    "00000000000000000000000000001",
    "1,,,,",
    ".",
    "-",
    "¥",
    "元",
    "10000000000.01",
    1500,
    1.5,
    None,
    [],
    {},
    True,
    "\x00",
]
BAD_KEYS = ["", "x" * 256, "clé", "a b", "\x00", "k" * 255, "🙂", "fuzz-key-1", "fuzz-key-2"]
RAW_BODIES: list[bytes] = [
    b"[" * 50_000 + b"]" * 50_000,
    b'{"a":' * 40 + b"1" + b"}" * 40,
    b"[" * 33 + b"]" * 33,
    b"[" * 32 + b"]" * 32,
    b"[" * 100_000,
    b"not json",
    b"\xff\xfe\x00",
    b"",
    b"null",
    b"[]",
    b'"a string"',
    b"1e999",
    b"-1e999",
    b'{"party_id": NaN}',
    b'{"party_id": Infinity}',
    b"1" * 5000,
    b"\xef\xbb\xbf{}",
    b'{"a": 1} trailing',
    b'{"a": "\\ud800"}',
    b'{"a": "\\u0000"}',
    b'{"\\u0000": 1}',
    b"{" + b'"k": "' + b"v" * (1_100_000) + b'"}',
    b'[{"id": "arrears-1", "status": "delivered"}]' * 3,
]
BAD_IDS_IN_PATH = ["abc", "-1", "0", str(10**30), "1.5", "%00", "%F0%9F%99%82", "1e3", " 1"]
CHANNELS_IN_PATH = ["sms", "email", "letter", "fax", "%00", "x" * 300, "SMS", "%ED%A0%80"]


def _pick_bad(rng: random.Random, kind: str) -> Any:
    pools = {
        "int": BAD_NUMBERS,
        "date": BAD_DATES,
        "text": BAD_TEXT,
        "amount": BAD_AMOUNTS,
    }
    # Mostly a bad value of the field's own kind, sometimes any kind at all.
    if rng.random() < 0.75:
        return rng.choice(pools[kind])
    return rng.choice(rng.choice(list(pools.values())))


class Fuzzer:
    """Builds the requests and judges the answers."""

    def __init__(self, world: dict[str, Any], rng: random.Random) -> None:
        self.rng = rng
        self.case: CollectionCase = world["cases"]["MINE"]
        self.theirs: CollectionCase = world["cases"]["THEIRS"]
        self.party = Party.objects.get(name="张三")
        self.point = ContactPoint.objects.filter(party=self.party).first()
        me: User = world["me"]
        admin = User.objects.create_superuser("fuzz-admin", password="a-long-unique-pass")
        auditor = User.objects.create_user("fuzz-auditor", role="compliance_auditor")
        auditor.creditors.add(Creditor.objects.get())
        self.auth = bearer(me)
        self.admin_auth = bearer(admin)
        self.auditor_auth = bearer(auditor)
        self.client = Client(raise_request_exception=False)
        today = timezone.localdate()
        self.due = (today + timedelta(days=5)).isoformat()
        self.at = timezone.localtime().replace(second=0, microsecond=0) - timedelta(minutes=1)

    # -- valid starting points, with each field's kind -----------------------------------
    def contact(self) -> tuple[dict[str, Any], dict[str, str]]:
        body = {
            "party_id": self.party.pk,
            "channel": self.rng.choice(["call", "sms", "visit"]),
            "party_reached": "borrower",
            "outcome": self.rng.choice(["no_answer", "right_party", "promise", "dispute"]),
            "contact_point_id": self.point.pk if self.point else None,
            "reason": "cash_flow",
            "notes": "fuzz",
            "at": self.at.isoformat(),
            "next_follow_up_at": (self.at + timedelta(days=1)).isoformat(),
            "staff": 2,
            "promise_amount": "100.00",
            "promise_due_on": self.due,
            "promise_tolerance_days": 2,
        }
        kinds = {
            "party_id": "int",
            "channel": "text",
            "party_reached": "text",
            "outcome": "text",
            "contact_point_id": "int",
            "reason": "text",
            "notes": "text",
            "at": "date",
            "next_follow_up_at": "date",
            "staff": "int",
            "promise_amount": "amount",
            "promise_due_on": "date",
            "promise_tolerance_days": "int",
        }
        return body, kinds

    def promise(self) -> tuple[dict[str, Any], dict[str, str]]:
        body = {"party_id": self.party.pk, "amount": "100.00", "due_on": self.due}
        body["tolerance_days"] = 2
        kinds = {"party_id": "int", "amount": "amount", "due_on": "date"}
        kinds["tolerance_days"] = "int"
        return body, kinds

    def plan(self) -> tuple[dict[str, Any], dict[str, str]]:
        body = {
            "total": "3,000.00",
            "down_payment": "300.00",
            "installments": 3,
            "start_on": self.due,
            "tolerance_days": 3,
            "reason": "fuzz",
        }
        kinds = {"total": "amount", "down_payment": "amount", "installments": "int"}
        kinds.update({"start_on": "date", "tolerance_days": "int", "reason": "text"})
        return body, kinds

    def receipt(self) -> tuple[dict[str, Any], dict[str, str]]:
        if self.rng.random() < 0.5:
            body = {"id": "arrears-1", "status": "delivered", "provider_id": "p1", "to": "138"}
            kinds = {"id": "text", "status": "text", "provider_id": "text", "to": "text"}
        else:
            body = {"biz_id": "b1", "phone_number": "13800138000", "success": True, "out_id": "1"}
            body["err_code"] = "DELIVERED"
            kinds = {"biz_id": "text", "phone_number": "text", "success": "int", "out_id": "text"}
            kinds["err_code"] = "text"
        return body, kinds

    def inbound(self) -> tuple[dict[str, Any], dict[str, str]]:
        body = {"from": "13800138000", "text": self.rng.choice(["TD", "hello", "退订"])}
        return body, {"from": "text", "text": "text"}

    # -- spoiling -------------------------------------------------------------------------
    def spoil(self, body: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
        body = dict(body)
        for _ in range(self.rng.choice([1, 1, 2, 3])):
            field = self.rng.choice(list(kinds))
            action = self.rng.random()
            if action < 0.8:
                body[field] = _pick_bad(self.rng, kinds[field])
            elif action < 0.9:
                body.pop(field, None)
            else:
                body[self.rng.choice(["extra", "__proto__", "id", "\u0000"])] = _pick_bad(
                    self.rng, "text"
                )
        return body

    def encode(self, body: Any) -> bytes:
        return json.dumps(body).encode()

    def query(self, params: dict[str, Any]) -> str:
        parts = []
        for name, value in params.items():
            text = value if isinstance(value, str) else json.dumps(value)
            parts.append(f"{name}={quote(text.encode('utf-8', 'surrogatepass'), safe='')}")
        return "&".join(parts)

    # -- one request ----------------------------------------------------------------------
    def request(self) -> tuple[str, str, str, bytes | None, dict[str, str]]:
        """(endpoint, method, path, body, extra headers)."""
        rng = self.rng
        endpoint = rng.choices(
            ["contacts", "promises", "plans", "list", "detail", "loan", "receipts", "inbound"],
            # Reading a case or the list costs ~90 ms when it succeeds (the page's replay),
            # a refusal ~5 ms: few valid reads, many bad ones.
            weights=[28, 22, 10, 7, 3, 11, 10, 10],
        )[0]
        headers: dict[str, str] = dict(self.auth)
        case_id = str(self.case.pk)
        roll = rng.random()
        if roll < 0.06:
            case_id = rng.choice(BAD_IDS_IN_PATH)
        elif roll < 0.09:
            case_id = str(self.theirs.pk)  # outside the caller's scope
        if rng.random() < 0.05:
            headers = dict(self.auditor_auth)  # may read, may not record
        if endpoint in ("contacts", "promises", "plans"):
            body, kinds = {
                "contacts": self.contact,
                "promises": self.promise,
                "plans": self.plan,
            }[endpoint]()
            raw = (
                rng.choice(RAW_BODIES)
                if rng.random() < 0.1
                else self.encode(self.spoil(body, kinds))
            )
            if rng.random() < 0.15:
                headers["HTTP_IDEMPOTENCY_KEY"] = rng.choice(BAD_KEYS)
            return endpoint, "POST", f"/api/v1/cases/{case_id}/{endpoint}", raw, headers
        if endpoint == "list":
            params = {
                "search": "张",
                "bucket": "M1",
                "product": "",
                "has_promise": "true",
                "tier": 1,
                "page": 1,
            }
            kinds = {"search": "text", "bucket": "text", "product": "text", "tier": "int"}
            kinds.update({"has_promise": "text", "page": "int"})
            spoiled = self.spoil(params, kinds)
            return endpoint, "GET", f"/api/v1/cases/?{self.query(spoiled)}", None, headers
        if endpoint == "detail":
            if rng.random() < 0.6:
                case_id = rng.choice(BAD_IDS_IN_PATH)
            return endpoint, "GET", f"/api/v1/cases/{case_id}", None, headers
        if endpoint == "loan":
            loan_id = rng.choice(
                ["MINE", "MINE", "x" * 101, "%00", "%F0%9F%99%82", "NOPE", "%ED%A0%80"]
            )
            params = self.spoil(
                {"as_of": "2026-03-10", "creditor": ""}, {"as_of": "date", "creditor": "text"}
            )
            path = f"/api/v1/loans/{loan_id}?{self.query(params)}"
            return endpoint, "GET", path, None, dict(self.admin_auth)
        headers = {"HTTP_X_ARREARS_SECRET": SECRET}
        if endpoint == "receipts":
            channel = "sms" if rng.random() < 0.7 else rng.choice(CHANNELS_IN_PATH)
            items = [self.spoil(*self.receipt()) for _ in range(rng.choice([1, 1, 2, 5]))]
            shape = rng.random()
            payload: Any = items if shape < 0.6 else {"receipts": items}
            if shape > 0.9:
                payload = _pick_bad(rng, "text")
            raw = rng.choice(RAW_BODIES) if rng.random() < 0.1 else self.encode(payload)
            return endpoint, "POST", f"/api/v1/outreach/receipts/{channel}", raw, headers
        message = self.spoil(*self.inbound())
        payload = message if rng.random() < 0.6 else [message, self.spoil(*self.inbound())]
        if rng.random() < 0.1:
            payload = _pick_bad(rng, "text")
        raw = rng.choice(RAW_BODIES) if rng.random() < 0.1 else self.encode(payload)
        return endpoint, "POST", "/api/v1/outreach/inbound/sms", raw, headers


def rows() -> tuple[int, ...]:
    """Row counts (and counts of rows in a written state) of every table a request of the
    API can write, in one query."""
    parts = [
        f"(SELECT COUNT(*) FROM {model._meta.db_table})"
        for model in (
            Activity,
            Promise,
            ContactAttempt,
            ContactRefusal,
            Hold,
            AuditEntry,
            IdempotentRequest,
            OutboxMessage,
            RepaymentPlan,
        )
    ]
    parts.append(f"(SELECT COUNT(*) FROM {WorkItem._meta.db_table} WHERE status = 'done')")
    parts.append(f"(SELECT COUNT(*) FROM {Promise._meta.db_table} WHERE status = 'open')")
    parts.append(f"(SELECT COUNT(*) FROM {ContactPoint._meta.db_table} WHERE status = 'invalid')")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


REFUSAL_COLUMN = 3  # ContactRefusal: the gate stores its refusals (409) on purpose
KEYS_COLUMN = 6  # IdempotentRequest


def test_thousands_of_bad_values_never_make_a_server_error_or_a_write(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.setenv("ARREARS_RECEIPT_SECRET", SECRET)
    settings.ARREARS_RECEIPT_SECRET = SECRET
    fuzzer = Fuzzer(world, random.Random(SEED))
    problems: list[str] = []
    statuses: Counter[tuple[str, int]] = Counter()
    before = rows()
    for number in range(REQUESTS):
        endpoint, method, path, raw, headers = fuzzer.request()
        if method == "GET":
            response = fuzzer.client.get(path, **headers)
        else:
            response = fuzzer.client.post(path, raw, content_type="application/json", **headers)
        after = rows()
        status = response.status_code
        statuses[(endpoint, status)] += 1
        where = f"#{number} {method} {path[:120]} {(raw or b'')[:160]!r} -> {status}"
        if status >= 500:
            problems.append(f"server error: {where} {response.content[:300]!r}")
        try:
            answer = json.loads(response.content)
        except ValueError:
            problems.append(f"not JSON: {where} {response.content[:200]!r}")
            answer = None
        if "json" not in response.get("Content-Type", ""):
            problems.append(f"content type {response.get('Content-Type')}: {where}")
        if 400 <= status < 500 and not (isinstance(answer, dict) and answer.get("detail")):
            problems.append(f"4xx without detail: {where} {response.content[:200]!r}")
        if status >= 400:
            changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
            # The gate's refusal is stored, and with it the answer to its Idempotency-Key.
            allowed = {REFUSAL_COLUMN, KEYS_COLUMN} if status == 409 else set()
            if set(changed) - allowed:
                problems.append(f"refused but wrote (columns {changed}): {where}")
        before = after

    by_endpoint = Counter(endpoint for endpoint, _ in statuses.elements())
    print("answers by endpoint and status:", sorted(statuses.items()))
    assert not problems, f"{len(problems)} problems, first ones:\n" + "\n".join(problems[:20])
    assert sum(by_endpoint.values()) >= 5_000
    assert min(by_endpoint.values()) >= 100, by_endpoint
    refused = sum(n for (_, status), n in statuses.items() if status >= 400)
    accepted = sum(n for (_, status), n in statuses.items() if status < 300)
    assert refused > 3_000 and accepted > 100, (refused, accepted)
