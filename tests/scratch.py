"""Scratch databases for tests that run the real ``arrears`` command in subprocesses
(crash tests): copies of one prepared template, a SQLite folder or a PostgreSQL database
of the same kind as the test run, so nothing of the test's own transaction is involved."""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests import migrated_template


class _Dropper:
    """Drops scratch PostgreSQL databases on a thread of its own, while the tests go on.

    PostgreSQL forces an immediate checkpoint for every ``DROP DATABASE`` (it writes out
    every dirty buffer of the server and waits for it): 1-2 s each while the other worker's
    tests write, so the crash test's teardown waited 25-35 s for its sixteen copies. The
    drops now happen here, one after another as before, and the run waits for the last of
    them when it ends (``scratch_migrated``'s teardown), where a failed drop is raised.
    """

    def __init__(self) -> None:
        self.names: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.failures: list[str] = []

    def drop(self, server: str, name: str) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._work, name="scratch-drops", daemon=True)
            self.thread.start()
        self.names.put((server, name))

    def _work(self) -> None:
        while (item := self.names.get()) is not None:
            server, name = item
            try:
                with psycopg.connect(server, autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            except psycopg.Error as error:
                self.failures.append(f"{name}: {error}")

    def wait(self) -> None:
        """Every database handed over is dropped (or its failure raised)."""
        if self.thread is not None:
            self.names.put(None)
            self.thread.join()
            self.thread = None
        failures, self.failures = self.failures, []
        assert not failures, "scratch databases not dropped: " + "; ".join(failures)


_DROPPER = _Dropper()


class Scratch:
    """Scratch databases for subprocesses: copies of one prepared template."""

    def __init__(self, root: Path, migrated: Migrated | None = None) -> None:
        self.root = root
        self.migrated = migrated
        self.postgres = connection.vendor == "postgresql"
        settings = connection.settings_dict
        self.server = (
            f"postgresql://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/postgres"
        )
        self.created: list[str] = []

    def env(self, name: str, **extra: str) -> dict[str, str]:
        env = {**os.environ, "ARREARS_DATA_DIR": str(self.root / name), **extra}
        env.pop("ARREARS_CYCLE_KILL_AFTER", None)
        env.pop("ARREARS_OUTREACH_KILL", None)
        env.update(extra)
        if self.postgres:
            env["DATABASE_URL"] = self.server.rsplit("/", 1)[0] + f"/{name}"
        else:
            env.pop("DATABASE_URL", None)
        return env

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.server, autocommit=True) as admin:
            admin.execute(sql)

    def create(self, name: str, template: str | None = None) -> None:
        if self.postgres:
            clause = f" TEMPLATE {template}" if template else ""
            self._admin(f"CREATE DATABASE {name}{clause}")
            self.created.append(name)
            # The template's data directory holds the keys its rows were encrypted with.
            if template and (self.root / template).is_dir():
                shutil.copytree(self.root / template, self.root / name)
        elif template:
            shutil.copytree(self.root / template, self.root / name)
        else:
            (self.root / name).mkdir()

    def create_migrated(self, name: str) -> None:
        """A database that ``arrears migrate`` has run on, with its data directory: a copy
        of the run's migrated template (tests/migrated_template.py)."""
        assert self.migrated is not None, "Scratch(root, migrated=...) was not given one"
        self._copy(name, *self.migrated.template())

    def create_demo(self, name: str, loans: int, **env: str) -> None:
        """A database that ``arrears migrate`` and then ``arrears demo --loans N`` (with
        ``env``) have run on: a copy of the test process's demo template of that kind, made
        the first time a test asks (the demo costs 3-5 s; the crash, served and backup
        tests ask for the same few portfolios, and the demo is tested on its own)."""
        assert self.migrated is not None, "Scratch(root, migrated=...) was not given one"
        self._copy(name, *self.migrated.demo(loans, env))

    def _copy(self, name: str, root: Path, template: str) -> None:
        if self.postgres:
            self._admin(f"CREATE DATABASE {name} TEMPLATE {template}")
            self.created.append(name)
        if (root / template).is_dir():
            shutil.copytree(root / template, self.root / name)
        else:
            (self.root / name).mkdir()

    def drop_all(self) -> None:
        """Hand every database this box created to the dropper (the run's end waits)."""
        for name in self.created:
            _DROPPER.drop(self.server, name)
        self.created = []


class Migrated:
    """The run's migrated template (made once for every test process, never used itself:
    the tests copy it, ``Scratch.create_migrated``) and this process's demo templates."""

    def __init__(self, root: Path) -> None:
        self.box = Scratch(root)
        self.demos: dict[tuple[int, tuple[tuple[str, str], ...]], str] = {}

    def template(self) -> tuple[Path, str]:
        """The run's migrated template (tests/migrated_template.py)."""
        return migrated_template.ready()

    def demo(self, loans: int, env: dict[str, str]) -> tuple[Path, str]:
        """The template with the demo of ``loans`` loans built by ``arrears demo`` (with
        ``env``) on a copy of the migrated one; made once per process and kind."""
        key = (loans, tuple(sorted(env.items())))
        if key not in self.demos:
            name = f"arrears_demo_{uuid.uuid4().hex[:8]}"
            self.box._copy(name, *self.template())
            done = arrears(self.box, name, "demo", "--loans", str(loans), **env)
            assert done.returncode == 0, done.stderr
            self.demos[key] = name
        return self.box.root, self.demos[key]


def arrears(
    scratch: Scratch, name: str, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "arrears", *args],
        env=scratch.env(name, **env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def free_port() -> int:
    """A TCP port nothing listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def gunicorn_serve(
    scratch: Scratch, name: str, port: int, *, workers: int, threads: int
) -> subprocess.Popen[bytes]:
    """The real WSGI server on the scratch database ``name``, once it accepts connections."""
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    command = [gunicorn, "arrears.config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads)]
    server = subprocess.Popen([*command, "--log-level", "warning"], env=scratch.env(name))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.1)  # polling for the port, not waiting for a result
    server.kill()
    raise AssertionError("gunicorn did not start within 60 s")


@pytest.fixture(scope="session")
def scratch_migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Migrated]:
    migrated = Migrated(tmp_path_factory.mktemp("migrated"))
    try:
        yield migrated
    finally:
        migrated.box.drop_all()
        _DROPPER.wait()


@pytest.fixture
def scratch(tmp_path: Path, scratch_migrated: Migrated) -> Iterator[Scratch]:
    box = Scratch(tmp_path, scratch_migrated)
    try:
        yield box
    finally:
        box.drop_all()
