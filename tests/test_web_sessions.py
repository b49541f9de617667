"""A web process's PostgreSQL sessions run without parallel plans (issue 21, the pages):
the queue's query at 300,000 loans took 27 ms with a Gather Merge's workers and 7 ms
without them. It also freezes what it loaded out of the garbage collector's full passes.
Batch processes (the cycle, imports, `arrears` commands) keep PostgreSQL's parallel plans."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from arrears.config.environment import PREPARE_ENV, PROCESS_ENV, WEB_PROCESS, database_from_url

# The PostgreSQL server every test run has at hand (DESIGN: real parts), whatever the
# engine under test: the setting is a PostgreSQL session's.
SERVER = os.environ.get("ARREARS_TEST_PG_SERVER", "postgres://postgres@127.0.0.1:5432/postgres")

# A process started as the web server starts (argv[1] == "web") or as a command does.
STARTED = (
    "import os, sys\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'arrears.config.settings')\n"
    "if sys.argv[1] == 'web':\n"
    "    import arrears.config.wsgi\n"
    "else:\n"
    "    import django; django.setup()\n"
    "from django.db import connection\n"
)
SHOW = STARTED + (
    "with connection.cursor() as cursor:\n"
    "    cursor.execute('SHOW max_parallel_workers_per_gather')\n"
    "    print(cursor.fetchone()[0])\n"
    "import gc\n"
    "print(gc.get_freeze_count())\n"
)


def _run(script: str, kind: str, tmp_path: object) -> list[str]:
    """What ``script`` prints, run as a ``kind`` process ("web" or a command's) with the
    settings' defaults for how it talks to PostgreSQL."""
    env = {**os.environ, "DATABASE_URL": SERVER, "ARREARS_DATA_DIR": str(tmp_path)}
    env.pop(PROCESS_ENV, None)
    env.pop(PREPARE_ENV, None)  # the default: the test run itself prepares nothing
    done = subprocess.run(
        [sys.executable, "-c", script, kind], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def _started(kind: str, tmp_path: object) -> tuple[str, int]:
    """The parallel-workers setting of a ``kind`` process's session, and how many objects
    it froze out of the garbage collector's passes."""
    setting, frozen = _run(SHOW, kind, tmp_path)
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
    monkeypatch.delenv(PREPARE_ENV, raising=False)
    options = database_from_url("postgres://u@h/db")["OPTIONS"]
    assert options == {
        "options": "-c jit=off -c max_parallel_workers_per_gather=0",
        "server_side_binding": True,
        "prepare_threshold": 1,
    }
    chosen = "postgres://u@h/db?options=-c%20max_parallel_workers_per_gather%3D2"
    assert database_from_url(chosen)["OPTIONS"]["options"] == "-c max_parallel_workers_per_gather=2"
    monkeypatch.delenv(PROCESS_ENV)
    assert database_from_url("postgres://u@h/db")["OPTIONS"] == {"options": "-c jit=off"}


def test_a_web_process_may_be_told_when_or_whether_to_prepare(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PROCESS_ENV, WEB_PROCESS)
    monkeypatch.setenv(PREPARE_ENV, "5")
    options = database_from_url("postgres://u@h/db")["OPTIONS"]
    assert options["prepare_threshold"] == 5 and options["server_side_binding"] is True
    # Behind a pooler that cannot keep prepared statements: bound, never prepared.
    monkeypatch.setenv(PREPARE_ENV, "off")
    options = database_from_url("postgres://u@h/db")["OPTIONS"]
    assert options["prepare_threshold"] is None and options["server_side_binding"] is True
    monkeypatch.setenv(PREPARE_ENV, "soon")
    with pytest.raises(ImproperlyConfigured, match=PREPARE_ENV):
        database_from_url("postgres://u@h/db")
    # Other processes: values written in, whatever the setting.
    monkeypatch.delenv(PROCESS_ENV)
    assert database_from_url("postgres://u@h/db")["OPTIONS"] == {"options": "-c jit=off"}


# A statement asked twice with different values (two cases' pages), then one with more
# values than a bound statement can carry (70,000: the protocol's limit is 65,535).
PREPARED = STARTED + (
    "with connection.cursor() as cursor:\n"
    "    for name in ('pg_class', 'pg_type'):\n"
    "        cursor.execute('SELECT count(*) FROM pg_class WHERE relname = %s', [name])\n"
    "    cursor.execute(\n"
    "        'SELECT count(*) FROM pg_prepared_statements'\n"
    "        \" WHERE statement LIKE '%%FROM pg_class WHERE relname%%'\"\n"
    "    )\n"
    "    prepared = cursor.fetchone()[0]\n"
    "    values = list(range(70_000))\n"
    "    cursor.execute(\n"
    "        'SELECT count(*) FROM (VALUES ' + ', '.join(['(%s)'] * len(values)) + ') v(n)',\n"
    "        values,\n"
    "    )\n"
    "    print(prepared, cursor.fetchone()[0])\n"
)


def _prepared(kind: str, tmp_path: object) -> list[int]:
    return [int(word) for word in _run(PREPARED, kind, tmp_path)]


def test_the_web_process_prepares_what_it_asks_again_and_nothing_else_does(
    tmp_path: object,
) -> None:
    # The web process: the statement asked for two names is prepared once, and the
    # statement with 70,000 values still runs (sent with its values written in).
    assert _prepared("web", tmp_path) == [1, 70_000]
    # Any other process prepares nothing.
    assert _prepared("batch", tmp_path) == [0, 70_000]
