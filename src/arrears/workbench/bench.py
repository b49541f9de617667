"""``arrears bench workbench``: how fast the queue and the case page answer at scale.

Builds the synthetic portfolio (1,000,000 loans by default), closes one business date so
cases open, staffs teams sized to the open cases, assigns them, then serves Arrears with
gunicorn and lets ``users`` collectors — one thread each, signed in with their own session —
alternate between their queue and one of their cases, pausing ``think_ms`` between pages.
Prints medians and 95th percentiles; nothing here is asserted by tests (tests pin query
counts instead).
"""

from __future__ import annotations

import http.client
import math
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from arrears.accounts.choices import AssignmentMethod, Role
from arrears.accounts.models import Team, User
from arrears.cases.batch import cases_assign
from arrears.cases.models import CollectionCase
from arrears.cycle.runner import cycle_run
from arrears.portfolio.bench_portfolio import build_bench_portfolio

# Teams of the bench department by the buckets they work, and each collector's capacity.
TEAMS = (("bench M1", "M1"), ("bench M2", "M2"), ("bench M3+", "M3,M4,M5,M6,M7"))
CAPACITY = 600


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def staff_teams(*, creditor_id: int, password: str) -> list[User]:
    """Teams with enough collectors (``CAPACITY`` each) for the open cases of their buckets."""
    collectors = []
    for name, buckets in TEAMS:
        team = Team.objects.create(
            name=name,
            creditor_id=creditor_id,
            buckets=buckets,
            assignment_method=AssignmentMethod.BALANCED_AMOUNT,
        )
        cases = CollectionCase.objects.filter(
            status="open", creditor_id=creditor_id, bucket__in=buckets.split(",")
        ).count()
        for number in range(max(1, math.ceil(cases / CAPACITY))):
            user = User(
                username=f"{name.replace(' ', '_')}_{number + 1}",
                role=Role.COLLECTOR,
                team=team,
                capacity=CAPACITY,
            )
            user.set_password(password)
            collectors.append(user)
    User.objects.bulk_create(collectors)
    return list(User.objects.filter(role=Role.COLLECTOR, team__name__startswith="bench "))


def session_for(user: User) -> str:
    """A signed-in session for ``user``, made the way ``django.contrib.auth.login`` makes one."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


def _serve(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    command = [
        os.path.join(os.path.dirname(sys.executable), "gunicorn"),
        "arrears.config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=os.environ.copy())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start within 60 s")


def _get(conn: http.client.HTTPConnection, path: str, cookie: str) -> float:
    """Time one GET. The server closes a keep-alive connection left idle past its timeout
    (a collector reading a page): then the request is sent again on a new connection, and
    only that attempt is timed."""
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    for attempt in (1, 2):
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()
            if attempt == 2:
                raise
            continue
        seconds = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
        return seconds
    raise AssertionError("unreachable")


def bench_workbench(
    *,
    loans: int,
    users: int,
    rounds: int,
    on: date,
    server_workers: int,
    server_threads: int,
    cycle_workers: int,
    think_ms: tuple[int, ...] = (0,),
) -> dict[str, Any]:
    """Build, assign, serve and measure; the figures as a dict."""

    started = time.perf_counter()
    built = build_bench_portfolio(loans=loans, first_day=on, days=0)
    build_seconds = time.perf_counter() - started
    started = time.perf_counter()
    cycle_run(on=on, workers=cycle_workers)
    cycle_seconds = time.perf_counter() - started
    password = os.environ.get("ARREARS_DEMO_PASSWORD") or "bench-password"
    collectors = staff_teams(creditor_id=built.creditor_id, password=password)
    started = time.perf_counter()
    cases_assign(on=on)
    allocate_seconds = time.perf_counter() - started
    open_cases = CollectionCase.objects.filter(status="open").count()
    assigned = CollectionCase.objects.filter(status="open", assignee__isnull=False).count()
    chosen = collectors[:: max(1, len(collectors) // users)][:users]
    case_ids = {
        user.pk: list(
            CollectionCase.objects.filter(assignee=user, status="open")
            .order_by("id")
            .values_list("id", flat=True)[:rounds]
        )
        for user in chosen
    }
    cookies = {user.pk: session_for(user) for user in chosen}
    connection.close()  # the server's processes open their own

    port = _free_port()
    server = _serve(port, server_workers, server_threads)
    phases = {}
    try:
        for pause_ms in think_ms:
            phases[f"think_{pause_ms}ms"] = _load(
                port, [user.pk for user in chosen], case_ids, cookies, rounds, pause_ms
            )
    finally:
        server.terminate()
        server.wait()
    return {
        "database": connection.vendor,
        "loans": built.loans,
        "open_cases": open_cases,
        "assigned_cases": assigned,
        "collectors": len(collectors),
        "build_seconds": round(build_seconds, 1),
        "cycle_seconds": round(cycle_seconds, 1),
        "allocate_seconds": round(allocate_seconds, 2),
        "concurrent_users": len(chosen),
        "server": f"gunicorn {server_workers} workers x {server_threads} threads",
        **phases,
    }


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"requests": 0}
    ordered = sorted(values)
    return {
        "requests": len(values),
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def _load(
    port: int,
    user_ids: list[int],
    case_ids: dict[int, list[int]],
    cookies: dict[int, str],
    rounds: int,
    think_ms: int,
) -> dict[str, Any]:
    """One load phase: every user alternates queue and case page ``rounds`` times, pausing
    ``think_ms`` between pages (0: every user asks again at once, the harshest load)."""
    timings: dict[str, list[float]] = {"queue": [], "case": []}
    errors: list[str] = []
    lock = threading.Lock()
    pause = threading.Event()  # never set: ``wait`` is the think time

    def collector(user_id: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: dict[str, list[float]] = {"queue": [], "case": []}
        try:
            cases = case_ids[user_id] or [0]
            _get(conn, "/queue/", cookies[user_id])  # warm-up, not counted
            for round_number in range(rounds):
                mine["queue"].append(_get(conn, "/queue/", cookies[user_id]))
                pause.wait(think_ms / 1000)
                case = cases[round_number % len(cases)]
                mine["case"].append(_get(conn, f"/cases/{case}/", cookies[user_id]))
                pause.wait(think_ms / 1000)
        except Exception as error:  # reported in the figures, never hidden
            with lock:
                errors.append(f"{type(error).__name__}: {error}")
        finally:
            conn.close()
        with lock:
            for page, values in mine.items():
                timings[page].extend(values)

    threads = [threading.Thread(target=collector, args=(user_id,)) for user_id in user_ids]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "queue": _summary(timings["queue"]),
        "case": _summary(timings["case"]),
        "requests_per_second": round((len(timings["queue"]) + len(timings["case"])) / elapsed, 1),
        "errors": errors[:5],
    }
