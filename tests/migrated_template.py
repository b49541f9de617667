"""One migrated database for the whole test run, made while the test processes start.

``arrears migrate`` on an empty database costs 7 s (SQLite) to 9 s (PostgreSQL) of CPU,
most of it Django rendering the migration states, and its result is the same every time.
The run used to pay it three times per test process on PostgreSQL (the process's test
database, then the scratch template the crash and served tests copy) and twice on SQLite.
Now the first process of the run (the xdist controller, or the only process) starts one
``arrears migrate`` in the background when pytest is configured — while the worker
processes start and collect the tests — and every process waits for it only when it needs
it:

- on PostgreSQL the test database of each process is created from it (Django's
  ``TEST["TEMPLATE"]``; its own ``migrate`` then finds nothing to apply), so what the tests
  run on is still what ``arrears migrate`` builds;
- the scratch databases of the subprocess tests (tests/scratch.py) are copies of it.

Its installation key is removed (each copy makes its own on first use), as copies of one
database would otherwise share what names a database among installations.

The template is never connected to after its ``migrate`` (PostgreSQL refuses to copy a
database someone is connected to), and is dropped when the run ends. SQLite test databases
stay in memory and migrate in their process, as Django makes them.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg
import pytest
from psycopg import sql

# Where the processes of the run find the template (set by the first process, inherited by
# the xdist workers it starts).
ROOT_ENV = "ARREARS_TEST_TEMPLATE_ROOT"
NAME_ENV = "ARREARS_TEST_TEMPLATE_NAME"
LOCK, STATUS = "lock", "status.json"


def _server_of(url: str) -> str:
    """The maintenance database of the server ``url`` names (to create and drop on)."""
    parsed = urlparse(url)
    return parsed._replace(path="/postgres", query="").geturl()


def _database_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if urlparse(url).scheme in {"postgres", "postgresql", "pgsql"} else None


class _Maker:
    """The first process's side: runs ``arrears migrate`` on a new database while holding an
    exclusive lock on ``root/lock``; the status (exit code, stderr) is written before the
    lock is released, so a process that gets the lock shared reads the outcome."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="arrears-template-"))
        self.url = _database_url()
        # Named after the run's database, as its test databases are (test_<name>_gw0, ...),
        # so what an interrupted run leaves behind is found by the same prefix (.ci/run).
        base = urlparse(self.url).path.lstrip("/") if self.url else "arrears"
        self.name = f"test_{base}_template_{uuid.uuid4().hex[:8]}"
        self.lock = open(self.root / LOCK, "w")  # noqa: SIM115 - held until the thread ends
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        self.guard = threading.Lock()  # the process and the flag below, between threads
        self.process: subprocess.Popen[str] | None = None
        self.stopping = False
        self.thread = threading.Thread(target=self._make, name="migrated-template", daemon=True)
        self.thread.start()

    def _make(self) -> None:
        status: dict[str, Any] = {"returncode": -1, "stderr": "the template was not made"}
        try:
            status = self._migrate()
        except BaseException as error:  # reported to every waiting process
            status = {"returncode": -1, "stderr": f"{type(error).__name__}: {error}"}
        finally:
            # Never left locked: the processes waiting for it would wait for ever.
            (self.root / STATUS).write_text(json.dumps(status), encoding="utf-8")
            fcntl.flock(self.lock, fcntl.LOCK_UN)
            self.lock.close()

    def _migrate(self) -> dict[str, Any]:
        env = {**os.environ, "ARREARS_DATA_DIR": str(self.root / self.name)}
        (self.root / self.name).mkdir()
        if self.url:
            with psycopg.connect(_server_of(self.url), autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
            env["DATABASE_URL"] = urlparse(self.url)._replace(path=f"/{self.name}").geturl()
        else:
            env.pop("DATABASE_URL", None)
        with self.guard:
            if self.stopping:
                return {"returncode": -1, "stderr": "the test run ended first"}
            self.process = subprocess.Popen(
                [sys.executable, "-m", "arrears", "migrate", "-v0"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
        _out, errors = self.process.communicate(timeout=600)
        if self.process.returncode == 0:
            self._forget_installation(env)
        return {"returncode": self.process.returncode, "stderr": errors[-4000:]}

    def _forget_installation(self, env: dict[str, str]) -> None:
        """Remove the installation key ``migrate`` gave the template: a database built by
        ``migrate`` has one of its own, never copied from another (outreach.Installation),
        so each copy makes its own on first use (``Installation.current_key``), as a
        database does after a flush."""
        statement = "DELETE FROM outreach_installation"
        if self.url:
            with psycopg.connect(env["DATABASE_URL"], autocommit=True) as database:
                database.execute(statement)
        else:
            path = self.root / self.name / "arrears.sqlite3"
            with closing(sqlite3.connect(path)) as file, file:
                file.execute(statement)

    def remove(self) -> None:
        """Drop the template. A ``migrate`` still running is stopped: the run is over and no
        test can ask for the template any more (a run of tests without a database, which
        would otherwise wait for it at its end)."""
        with self.guard:
            self.stopping = True
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()
        self.thread.join()
        if self.url:
            with psycopg.connect(_server_of(self.url), autocommit=True) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(self.name)
                    )
                )
        shutil.rmtree(self.root, ignore_errors=True)


_MAKER: _Maker | None = None


def start(config: pytest.Config) -> None:
    """In the run's first process only (``pytest_configure``): start making the template."""
    global _MAKER
    if hasattr(config, "workerinput") or os.environ.get(ROOT_ENV):
        return  # an xdist worker: the controller started it
    _MAKER = _Maker()
    os.environ[ROOT_ENV] = str(_MAKER.root)
    os.environ[NAME_ENV] = _MAKER.name


def finish() -> None:
    """In the first process (``pytest_unconfigure``): drop the template."""
    global _MAKER
    if _MAKER is not None:
        _MAKER.remove()
        _MAKER = None
        os.environ.pop(ROOT_ENV, None)
        os.environ.pop(NAME_ENV, None)


def ready() -> tuple[Path, str]:
    """The template's folder (its data directory is ``root/name``) and name, once
    ``migrate`` has finished on it; raises with its error output when it failed."""
    root, name = os.environ.get(ROOT_ENV), os.environ.get(NAME_ENV)
    assert root and name, "tests/migrated_template.start() did not run in this test run"
    with open(Path(root) / LOCK) as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)  # blocks while the first process still migrates
        status = json.loads((Path(root) / STATUS).read_text(encoding="utf-8"))
    assert status["returncode"] == 0, "arrears migrate failed:\n" + status["stderr"]
    return Path(root), name
