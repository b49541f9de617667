"""A web process's PostgreSQL sessions run without parallel plans (issue 21, the pages):
the queue's query at 300,000 loans took 27 ms with a Gather Merge's workers and 7 ms
without them. It also freezes what it loaded out of the garbage collector's full passes.
Batch processes (the cycle, imports, `arrears` commands) keep PostgreSQL's parallel plans."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from arrears.config.environment import PROCESS_ENV, WEB_PROCESS, database_from_url

# The PostgreSQL server every test run has at hand (DESIGN: real parts), whatever the
# engine under test: the setting is a PostgreSQL session's.
SERVER = os.environ.get("ARREARS_TEST_PG_SERVER", "postgres://postgres@127.0.0.1:5432/postgres")

SHOW = (
    "import os, sys\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'arrears.config.settings')\n"
    "if sys.argv[1] == 'web':\n"
    "    import arrears.config.wsgi\n"
    "else:\n"
    "    import django; django.setup()\n"
    "from django.db import connection\n"
    "with connection.cursor() as cursor:\n"
    "    cursor.execute('SHOW max_parallel_workers_per_gather')\n"
    "    print(cursor.fetchone()[0])\n"
    "import gc\n"
    "print(gc.get_freeze_count())\n"
)


def _started(kind: str, tmp_path: object) -> tuple[str, int]:
    """The parallel-workers setting of a ``kind`` process's session, and how many objects
    it froze out of the garbage collector's passes."""
    env = {**os.environ, "DATABASE_URL": SERVER, "ARREARS_DATA_DIR": str(tmp_path)}
    env.pop(PROCESS_ENV, None)
    done = subprocess.run(
        [sys.executable, "-c", SHOW, kind], env=env, capture_output=True, text=True, check=True
    )
    setting, frozen = done.stdout.split()
    return setting, int(frozen)


def test_the_wsgi_application_opens_sessions_without_parallel_workers(tmp_path: object) -> None:
    web, batch = _started("web", tmp_path), _started("batch", tmp_path)
    assert web[0] == "0"
    # Anything else (here: a command's process) keeps the server's setting.
    assert batch[0] != "0"
    # The web process freezes what it loaded before serving; the others do not.
    assert web[1] > 10_000 and batch[1] == 0


def test_the_web_setting_joins_the_url_options_and_never_doubles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PROCESS_ENV, WEB_PROCESS)
    options = database_from_url("postgres://u@h/db")["OPTIONS"]
    assert options == {"options": "-c jit=off -c max_parallel_workers_per_gather=0"}
    chosen = "postgres://u@h/db?options=-c%20max_parallel_workers_per_gather%3D2"
    assert database_from_url(chosen)["OPTIONS"] == {
        "options": "-c max_parallel_workers_per_gather=2"
    }
    monkeypatch.delenv(PROCESS_ENV)
    assert database_from_url("postgres://u@h/db")["OPTIONS"] == {"options": "-c jit=off"}
