"""``arrears bench workbench``: how fast the queue and the case page answer at scale.

Builds the synthetic portfolio (1,000,000 loans by default), closes one business date so
cases open, staffs teams sized to the open cases, assigns them, then serves Arrears with
gunicorn and lets ``users`` collectors — one thread each, signed in with their own session —
alternate between their queue and one of their cases, pausing ``think_ms`` between pages.
Prints medians and 95th percentiles; nothing here is asserted by tests (tests pin query
counts instead).

Two clocks per page: the collector's (``median_ms``: the round trip, including any wait for a
free server thread) and the server's (``server``: gunicorn's own time for the request, from
its access log, the figure issue 21's page goal is stated in). One collector alone goes
first (``single_user``), then the ``users`` together for each think time.
"""

from __future__ import annotations

import http.client
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
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


def statistics_refresh() -> None:
    """The planner's statistics as a running system has them before collectors start:
    PostgreSQL's autovacuum analyzes (and vacuums) freshly written tables on its own, but
    may be off on a bench machine; SQLite has statistics only when something runs ANALYZE.
    Without them both take the queue's scope from the case-status index and read every
    open case of the book for each page (measured at 200,000 loans: twice the queue's
    time on SQLite)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def session_for(user: User) -> str:
    """A signed-in session for ``user``, made the way ``django.contrib.auth.login`` makes one."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


# gunicorn's access log, one line a request: the bench's tag (its ``X-Bench`` header: the
# phase and the page, or "warmup") and the server's time for the request in microseconds.
TAG_HEADER = "X-Bench"
ACCESS_FORMAT = "%({x-bench}i)s %(D)s"


def _serve(port: int, workers: int, threads: int, access_log: Path) -> subprocess.Popen[bytes]:
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
        "--access-logfile",
        str(access_log),
        "--access-logformat",
        ACCESS_FORMAT,
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


def _get(conn: http.client.HTTPConnection, path: str, cookie: str, tag: str) -> float:
    """Time one GET. The server closes a keep-alive connection left idle past its timeout
    (a collector reading a page): then the request is sent again on a new connection, and
    only that attempt is timed. ``tag`` names the request in the server's access log."""
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}", TAG_HEADER: tag}
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
    started = time.perf_counter()
    statistics_refresh()
    analyze_seconds = time.perf_counter() - started
    open_cases = CollectionCase.objects.filter(status="open").count()
    assigned = CollectionCase.objects.filter(status="open", assignee__isnull=False).count()
    chosen = collectors[:: max(1, len(collectors) // users)][:users]
    phases = pages_measure(
        collectors=chosen,
        rounds=rounds,
        server_workers=server_workers,
        server_threads=server_threads,
        think_ms=think_ms,
    )
    return {
        "database": connection.vendor,
        "loans": built.loans,
        "open_cases": open_cases,
        "assigned_cases": assigned,
        "collectors": len(collectors),
        "build_seconds": round(build_seconds, 1),
        "cycle_seconds": round(cycle_seconds, 1),
        "allocate_seconds": round(allocate_seconds, 2),
        "analyze_seconds": round(analyze_seconds, 1),
        "concurrent_users": len(chosen),
        "server": f"gunicorn {server_workers} workers x {server_threads} threads",
        "server_time_ms": _server_times(phases, len(chosen)),
        **phases,
    }


def pages_measure(
    *,
    collectors: list[User],
    rounds: int,
    server_workers: int,
    server_threads: int,
    think_ms: tuple[int, ...] = (0,),
) -> dict[str, Any]:
    """Serve the database as it is and time the pages: the first of ``collectors`` alone,
    then all of them for each think time; each phase's figures by name. (Separate from
    the build so a built database can be measured again after a change.)"""
    case_ids = {
        user.pk: list(
            CollectionCase.objects.filter(assignee=user, status="open")
            .order_by("id")
            .values_list("id", flat=True)[:rounds]
        )
        for user in collectors
    }
    cookies = {user.pk: session_for(user) for user in collectors}
    connection.close()  # the server's processes open their own

    port = _free_port()
    phases = {}
    with tempfile.TemporaryDirectory(prefix="arrears-bench-") as scratch:
        access_log = Path(scratch) / "access.log"
        server = _serve(port, server_workers, server_threads, access_log)
        try:
            # One collector alone first: the single-user figures of the page goal.
            phases["single_user"] = _load(
                port, [collectors[0].pk], case_ids, cookies, rounds, 0, "single_user", access_log
            )
            for pause_ms in think_ms:
                name = f"think_{pause_ms}ms"
                phases[name] = _load(
                    port,
                    [user.pk for user in collectors],
                    case_ids,
                    cookies,
                    rounds,
                    pause_ms,
                    name,
                    access_log,
                )
        finally:
            server.terminate()
            server.wait()
    return phases


def _server_times(phases: dict[str, Any], users: int) -> dict[str, float]:
    """The page goal's figures in one place: the server's median and 95th percentile for
    each page, one user alone and all users back to back (no think time)."""
    figures: dict[str, float] = {}
    for phase, label in (("single_user", "1_user"), ("think_0ms", f"{users}_users")):
        for page in ("queue", "case"):
            summary = phases.get(phase, {}).get("server", {}).get(page, {})
            for key in ("median_ms", "p95_ms"):
                if key in summary:
                    figures[f"{page}_{label}_{key.removesuffix('_ms')}"] = summary[key]
    return figures


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


def _server_seconds(access_log: Path, phase: str, expected: int) -> dict[str, list[float]]:
    """The server's time for each request of ``phase`` by page, from the access log. The
    log line is written just after the response: wait (briefly) for the last ones."""
    found: dict[str, list[float]] = {"queue": [], "case": []}
    for lines in _log_reads(access_log):
        found = {"queue": [], "case": []}
        for line in lines:
            tag, _space, micros = line.rpartition(" ")
            name, _colon, page = tag.partition(":")
            if name == phase and page in found and micros.isdigit():
                found[page].append(int(micros) / 1_000_000)
        if sum(len(values) for values in found.values()) >= expected:
            break
    return found


def _log_reads(access_log: Path) -> Iterator[list[str]]:
    deadline = time.monotonic() + 5
    while True:
        yield access_log.read_text().splitlines() if access_log.exists() else []
        if time.monotonic() > deadline:
            return
        time.sleep(0.05)


def _load(
    port: int,
    user_ids: list[int],
    case_ids: dict[int, list[int]],
    cookies: dict[int, str],
    rounds: int,
    think_ms: int,
    phase: str,
    access_log: Path,
) -> dict[str, Any]:
    """One load phase: every user alternates queue and case page ``rounds`` times, pausing
    ``think_ms`` between pages (0: every user asks again at once, the harshest load). The
    collectors' round trips and, from the access log, the server's time per page."""
    timings: dict[str, list[float]] = {"queue": [], "case": []}
    errors: list[str] = []
    lock = threading.Lock()
    pause = threading.Event()  # never set: ``wait`` is the think time

    def collector(user_id: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: dict[str, list[float]] = {"queue": [], "case": []}
        try:
            cases = case_ids[user_id] or [0]
            _get(conn, "/queue/", cookies[user_id], "warmup")  # not counted
            for round_number in range(rounds):
                mine["queue"].append(_get(conn, "/queue/", cookies[user_id], f"{phase}:queue"))
                pause.wait(think_ms / 1000)
                case = cases[round_number % len(cases)]
                mine["case"].append(
                    _get(conn, f"/cases/{case}/", cookies[user_id], f"{phase}:case")
                )
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
    served = _server_seconds(access_log, phase, len(timings["queue"]) + len(timings["case"]))
    return {
        "queue": _summary(timings["queue"]),
        "case": _summary(timings["case"]),
        "requests_per_second": round((len(timings["queue"]) + len(timings["case"])) / elapsed, 1),
        "errors": errors[:5],
        "server": {"queue": _summary(served["queue"]), "case": _summary(served["case"])},
    }
