"""A served Arrears for concurrency tests: the demo in a scratch database (SQLite file or
PostgreSQL database, like the test run), gunicorn with several worker processes in front of
it, a case worker's bearer token and one of their cases whose borrower nobody has contacted.

The debtors' time zone is set to one where it is now early afternoon, so a contact made
"now" is inside the pack's 08:00–22:00 whatever hour the test runs at; nothing else in the
demo's policy changes (the China pack: three conversations a day).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from threading import Barrier
from typing import Any

import pytest

from tests.scratch import Scratch, arrears

# Pick a case no demo contact or hold touched (the demo calls twelve borrowers and places
# one hold, so 150 loans leave several), give the demo creditor a policy in a zone where it
# is now about 13:00, and print what the test needs (one JSON line).
_PREPARE = """
import json
from arrears.cases.models import CollectionCase
from arrears.compliance.models import CompliancePolicy, ContactAttempt, Hold
from arrears.portfolio.models import LoanParty
touched = set(ContactAttempt.objects.values_list("party_id", flat=True))
touched |= set(Hold.objects.exclude(party=None).values_list("party_id", flat=True))
held_loans = set(Hold.objects.exclude(loan=None).values_list("loan_id", flat=True))
workers = ("collector", "field_agent", "team_lead")
for case in CollectionCase.objects.filter(status="open", assignee__role__in=workers).order_by("pk"):
    borrower = LoanParty.objects.filter(loan_id=case.loan_id, role="borrower").first()
    if borrower and borrower.party_id not in touched and case.loan_id not in held_loans:
        CompliancePolicy.objects.update_or_create(
            creditor_id=case.creditor_id,
            defaults={"pack": "cn", "time_zone": %(zone)r, "quiet_public_holidays": False},
        )
        print(json.dumps({"case": case.pk, "party": borrower.party_id,
                          "user": case.assignee.username}))
        break
"""


def afternoon_zone(now: datetime) -> str:
    """An IANA zone (``Etc/GMT±n``) where ``now`` is between 12:00 and 14:00."""
    offset = (13 - now.astimezone(UTC).hour + 12) % 24 - 12  # local = UTC + offset, -12…11
    # POSIX-style names: Etc/GMT-8 is eight hours ahead of UTC.
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")


@dataclass
class Served:
    """A running server and what the requests need."""

    url: str
    token: str
    case_id: int
    party_id: int
    scratch: Scratch
    database: str

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def post_at_once(self, path: str, body: dict[str, Any], count: int) -> list[int]:
        """``count`` identical posts from as many threads, released together; the statuses."""
        start = Barrier(count, timeout=60)

        def one(_: int) -> int:
            start.wait()
            return self.post(path, body)[0]

        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(one, range(count)))

    def query(self, code: str) -> Any:
        """Run ``code`` (printing one JSON line) in an ``arrears shell`` on the database."""
        done = arrears(self.scratch, self.database, "shell", "-v0", "-c", code)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_serving(url: str, token: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    request = urllib.request.Request(
        url + "/api/v1/cases/", headers={"Authorization": "Bearer " + token}
    )
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)  # the poll's pace, not a wait for timing
    raise AssertionError("the server did not answer within 90 s")


@pytest.fixture
def served(scratch: Scratch) -> Iterator[Served]:
    """The demo served by gunicorn (3 worker processes x 4 threads)."""
    name = f"arrears_gate_{uuid.uuid4().hex[:8]}"
    scratch.create_demo(name, 150)
    zone = afternoon_zone(datetime.now(UTC))
    picked = arrears(scratch, name, "shell", "-v0", "-c", _PREPARE % {"zone": zone})
    assert picked.returncode == 0 and picked.stdout.strip(), picked.stderr
    chosen = json.loads(picked.stdout.strip().splitlines()[-1])
    token = arrears(scratch, name, "token", "create", chosen["user"])
    assert token.returncode == 0, token.stderr
    port = _free_port()
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "arrears.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        env=scratch.env(name),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, token.stdout.strip(), server)
        yield Served(
            url=url,
            token=token.stdout.strip(),
            case_id=chosen["case"],
            party_id=chosen["party"],
            scratch=scratch,
            database=name,
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
