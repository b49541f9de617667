"""``arrears bench outreach``: dispatch N queued messages to local sinks and time it.

Builds a small synthetic portfolio (its parties get a phone and an email), queues N
messages due now, and runs ``arrears worker --outbox-only --until-empty`` in W processes
against a local SMTP server (aiosmtpd) or an SMS gateway speaking the generic JSON
protocol. The debtors' time zone of the bench creditor is one where it is midday now, so
the contact window is open whatever the hour of the run; everything else — the gate,
rendering, marking sending, recording — is what production does.

The SMS gateway is either the one ``sms_url`` names (``--sms-url``), or else the local fake
gateway, a test double that lives in the source checkout (``tests/fakes/sms_gateway.py``)
and never in the installed package: the bench runs it as a separate program,
``python -m tests.fakes.sms_gateway``, from the checkout this package was installed from in
editable mode (``make``'s ``pip install -e``). An installed copy without a checkout needs
``--sms-url``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from arrears.compliance.models import CompliancePolicy
from arrears.core.bulk import bulk_insert
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.bench_portfolio import bench_contact_points, build_bench_portfolio

BENCH_SECRET = "bench-secret"

# src/arrears/outreach/bench.py → the checkout's root, when installed in editable mode.
CHECKOUT = Path(__file__).resolve().parents[3]
FAKE_SMS_GATEWAY = "tests.fakes.sms_gateway"
GENERIC_SMS_PATH = "/generic/messages"  # where the fake serves the generic JSON protocol


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
    links = bench_contact_points(creditor_id=built.creditor_id)
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
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


def fake_sms_gateway_available() -> bool:
    """Whether the local fake SMS gateway can be started: the package runs from a source
    checkout that holds it."""
    module = CHECKOUT.joinpath(*FAKE_SMS_GATEWAY.split(".")).with_suffix(".py")
    return module.is_file()


def _sink(channel: str, port: int) -> subprocess.Popen[bytes]:
    env: dict[str, str] | None = None
    if channel == "sms":
        # A program of its own, run from the checkout with the checkout first on its path,
        # so ``tests`` is the checkout's and the package never imports it.
        cwd: Path | None = CHECKOUT
        path = os.environ.get("PYTHONPATH")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(CHECKOUT), path])))
        command = [
            sys.executable, "-m", FAKE_SMS_GATEWAY,
            "--port", str(port), "--secret", BENCH_SECRET, "--token", BENCH_SECRET,
        ]  # fmt: skip
    else:
        cwd = None
        command = [
            sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
            "-c", "aiosmtpd.handlers.Sink",
        ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.05)
    process.kill()
    raise CommandError(f"the local {channel} sink did not start on port {port}", returncode=2)


def bench_outreach(
    *,
    messages: int,
    workers: int,
    channel: str,
    sms_url: str | None = None,
    sms_token: str | None = None,
) -> dict[str, Any]:
    """Queue ``messages`` and time ``workers`` processes sending them all.

    SMS go to ``sms_url`` (a generic JSON gateway taking ``sms_token``, default the bench
    secret) when given, else to the local fake gateway started from the source checkout.
    """
    if sms_url and channel != "sms":
        raise CommandError("--sms-url applies to --channel sms only", returncode=2)
    if channel == "sms" and not sms_url and not fake_sms_gateway_available():
        raise CommandError(
            "the local fake SMS gateway is a test double kept in the source checkout "
            f"({FAKE_SMS_GATEWAY}), not found from {CHECKOUT}: run the bench from an "
            "editable install of a checkout, or give --sms-url (a generic JSON gateway, "
            "e.g. `python -m tests.fakes.sms_gateway --port N --token bench-secret` started "
            "from a checkout)",
            returncode=2,
        )
    queued = _queue(messages, channel)
    port = _free_port()
    sink = None if sms_url else _sink(channel, port)
    gateway = sms_url or f"http://127.0.0.1:{port}{GENERIC_SMS_PATH}"
    env = dict(os.environ)
    # The generic JSON gateway: the shipped templates carry no provider template codes
    # (those are registered per lender with its SMS provider).
    env.update(
        ARREARS_SMS_PROVIDER="generic",
        ARREARS_SMS_URL=gateway,
        ARREARS_SMS_TOKEN=sms_token or BENCH_SECRET,
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
        if sink is not None:
            sink.kill()
            sink.wait()
    by_status = _statuses(channel)
    return {
        "database": connection.vendor,
        "channel": channel,
        "gateway": gateway if channel == "sms" else f"smtp://127.0.0.1:{port}",
        "messages": queued,
        "workers": workers,
        "worker_exit_codes": codes,
        "seconds": round(seconds, 2),
        "messages_per_second": round(queued / seconds),
        "statuses": by_status,
    }


def _statuses(channel: str) -> dict[str, int]:
    return {
        row["status"]: row["n"]
        for row in OutboxMessage.objects.filter(channel=channel)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    }
