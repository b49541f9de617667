"""``arrears bench outreach``: dispatch N queued messages to local sinks and time it.

Builds a small synthetic portfolio (its parties get a phone and an email), queues N
messages due now, starts the local fake SMS gateway (Alibaba Cloud's protocol, signatures
checked) or a local SMTP server, and runs ``arrears worker --outbox-only --until-empty`` in
W processes. The debtors' time zone of the bench creditor is one where it is midday now,
so the contact window is open whatever the hour of the run; everything else — the gate,
rendering, marking sending, recording — is what production does.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from arrears.compliance.models import CompliancePolicy
from arrears.core.bulk import bulk_insert
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.bench_portfolio import build_bench_portfolio
from arrears.portfolio.models import ContactPoint, LoanParty

BENCH_SECRET = "bench-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def midday_zone() -> str:
    """An Etc/GMT zone where the local time now is between 11:00 and 13:00."""
    hour = timezone.now().hour
    offset = (12 - hour + 12) % 24 - 12  # hours to add to UTC
    # Etc/GMT-8 is UTC+8: the sign is reversed in these names.
    return f"Etc/GMT{'-' if offset >= 0 else '+'}{abs(offset)}"


def _queue(messages: int, channel: str) -> int:
    built = build_bench_portfolio(loans=2_000, first_day=timezone.localdate(), days=0)
    CompliancePolicy.objects.create(creditor_id=built.creditor_id, time_zone=midday_zone())
    links = list(
        LoanParty.objects.filter(loan__creditor_id=built.creditor_id, role="borrower")
        .order_by("loan_id")
        .values_list("loan_id", "party_id")
    )
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    bulk_insert(
        ContactPoint._meta.db_table,
        ["party_id", "kind", "value", "status", "is_primary", "source", "created_at", "updated_at"],
        (
            row
            for n, (_, party) in enumerate(links)
            for row in (
                (party, "phone", f"138{n:08d}", "valid", True, "bench", now, now),
                (party, "email", f"debtor{n}@example.com", "valid", True, "bench", now, now),
            )
        ),
    )
    due = adapt(now - timedelta(minutes=1))
    return bulk_insert(
        OutboxMessage._meta.db_table,
        ["case_id", "loan_id", "party_id", "planned_action_id", "channel", "purpose",
         "template", "status", "due_at", "blocked_reasons", "to", "body", "body_sha256",
         "attempts", "claimed_by", "provider_id", "error", "created_at", "updated_at"],
        (
            (0, loan, party, -(n + 1), channel, channel, "reminder", "queued", due, "[]", "",
             "", "", 0, "", "", "", adapt(now), adapt(now))
            for n in range(messages)
            for loan, party in [links[n % len(links)]]
        ),
    )  # fmt: skip


def _sink(channel: str, port: int) -> subprocess.Popen[bytes]:
    if channel == "sms":
        command = [
            sys.executable, "-m", "arrears.outreach.channels.fake_gateway",
            "--port", str(port), "--secret", BENCH_SECRET, "--token", BENCH_SECRET,
        ]  # fmt: skip
    else:
        command = [
            sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
            "-c", "aiosmtpd.handlers.Sink",
        ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"the local {channel} sink did not start on port {port}")


def bench_outreach(*, messages: int, workers: int, channel: str) -> dict[str, Any]:
    """Queue ``messages`` and time ``workers`` processes sending them all."""
    queued = _queue(messages, channel)
    port = _free_port()
    sink = _sink(channel, port)
    env = dict(os.environ)
    # The generic JSON gateway: the shipped templates carry no provider template codes
    # (those are registered per lender with its SMS provider).
    env.update(
        ARREARS_SMS_PROVIDER="generic",
        ARREARS_SMS_URL=f"http://127.0.0.1:{port}/generic/messages",
        ARREARS_SMS_TOKEN=BENCH_SECRET,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_USE_TLS="0",
    )
    command = [
        sys.executable, "-m", "arrears", "worker", "--outbox-only", "--until-empty",
        "--channels", channel,
    ]  # fmt: skip
    try:
        started = time.perf_counter()
        processes = [subprocess.Popen(command, env=env) for _ in range(workers)]
        codes = [process.wait() for process in processes]
        seconds = time.perf_counter() - started
    finally:
        sink.kill()
        sink.wait()
    by_status = _statuses(channel)
    return {
        "database": connection.vendor,
        "channel": channel,
        "messages": queued,
        "workers": workers,
        "worker_exit_codes": codes,
        "seconds": round(seconds, 2),
        "messages_per_second": round(queued / seconds),
        "statuses": by_status,
    }


def _statuses(channel: str) -> dict[str, int]:
    from django.db.models import Count

    return {
        row["status"]: row["n"]
        for row in OutboxMessage.objects.filter(channel=channel)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    }
