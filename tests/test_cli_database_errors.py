"""A command run before `arrears migrate`, or with the database down, ends in one line that
says what to do, in the user's language, with exit code 2: never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.db import OperationalError, ProgrammingError
from django.utils import translation

from arrears.__main__ import database_problem
from tests.scratch import free_port


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(ARREARS_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-m", "arrears", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_command_before_migrate_says_to_migrate(tmp_path: Path) -> None:
    done = run(tmp_path, "cycle", "--status")

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "arrears: 数据库尚未初始化（没有数据表 cycle_cyclerun）：请先运行 `arrears migrate`"
    ]


def test_a_database_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    url = f"postgres://postgres@127.0.0.1:{free_port()}/arrears"

    done = run(tmp_path, "cycle", "--status", DATABASE_URL=url)

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("arrears: 无法连接数据库（connection failed")


def test_postgresql_missing_relation_and_other_errors_in_english() -> None:
    with translation.override("en"):
        missing = database_problem(
            ProgrammingError('relation "portfolio_creditor" does not exist\nLINE 1: SELECT')
        )
        other = database_problem(OperationalError("disk I/O error"))

    assert missing == (
        "the database is not set up (it has no table portfolio_creditor): run `arrears migrate`"
    )
    assert other == (
        "the database refused the command (disk I/O error); ARREARS_LOG_LEVEL=INFO shows where"
    )
