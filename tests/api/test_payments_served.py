"""Fifty identical payment posts at once, one Idempotency-Key, against a served Arrears
(gunicorn worker processes and threads on a scratch database of the test run's kind):
one payment, one 201, forty-nine 200 with the same body."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from django.utils import timezone

from tests.scratch import Scratch, arrears, free_port, gunicorn_serve

POSTS = 50

PREPARE = """
import json, tempfile
from datetime import timedelta
from pathlib import Path
from django.utils import timezone
from arrears.accounts.models import User
from arrears.portfolio.models import Creditor
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv
creditor = Creditor.objects.create(name="并发还款小贷")
disbursed = (timezone.localdate() - timedelta(days=45)).isoformat()
tape = write_csv(Path(tempfile.mkdtemp()) / "l.csv", [loan_row("RACE-1", disbursed_on=disbursed)])
tape_ingest(creditor=creditor, kind="loans", path=tape)
user = User.objects.create_user("payments", role="manager")
user.creditors.add(creditor)
print(json.dumps({"ok": True}))
"""
COUNT = """
import json
from arrears.api.models import IdempotentRequest
from arrears.core.models import AuditEntry
from arrears.portfolio.models import Allocation, Payment
print(json.dumps([Payment.objects.count(), IdempotentRequest.objects.count(),
                  AuditEntry.objects.filter(action="payment.post").count(),
                  Allocation.objects.values("payment_id").distinct().count()]))
"""


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, answer.read(), answer.headers.get("Idempotent-Replayed") or ""
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Idempotent-Replayed") or ""


def test_fifty_concurrent_identical_posts_make_one_payment(scratch: Scratch) -> None:
    name = f"arrears_pay_race_{uuid.uuid4().hex[:8]}"
    scratch.create_migrated(name)
    prepared = arrears(scratch, name, "shell", "-c", PREPARE)
    assert prepared.returncode == 0, prepared.stderr
    made = arrears(scratch, name, "token", "create", "payments", "--scope", "payments:write")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    body = json.dumps(
        {
            "payment_id": "RACE-PAY-1",
            "loan_id": "RACE-1",
            "amount": "1000.00",
            "paid_on": timezone.localdate().isoformat(),
            "channel": "bank",
        }
    ).encode()
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": str(uuid.uuid4()),
    }
    port = free_port()
    server = gunicorn_serve(scratch, name, port, workers=3, threads=17)  # all fifty at once
    start = Barrier(POSTS, timeout=60)

    def one(_: int) -> tuple[int, bytes, str]:
        start.wait()
        return _post(f"http://127.0.0.1:{port}/api/v1/payments", body, headers)

    try:
        with ThreadPoolExecutor(max_workers=POSTS) as pool:
            answers = list(pool.map(one, range(POSTS)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    counted = arrears(scratch, name, "shell", "-c", COUNT)
    assert counted.returncode == 0, counted.stderr
    payments, keys, audited, allocated = json.loads(counted.stdout.strip().splitlines()[-1])

    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [200] * (POSTS - 1) + [201], statuses
    assert len({content for _, content, _ in answers}) == 1, "every answer has the same body"
    assert sorted(replayed for _, _, replayed in answers) == [""] + ["true"] * (POSTS - 1)
    assert (payments, keys, audited, allocated) == (1, 1, 1, 1)
