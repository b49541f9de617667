"""A transactional test restores what migrations ship after its flush (serialized_rollback).

pytest-django runs the transactional tests last, in file order. One that flushes without
serialized_rollback lets Django re-create the content types on the empty tables, and every
serialized test after it then fails at setup (UNIQUE constraint on django_content_type):
seventeen browser and live-server tests failed that way once. Only a test that runs after
every serialized one (tests/test_bulk.py, the last file collected) may do without.
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
TRANSACTIONAL = re.compile(r"django_db\(([^)]*transaction=True[^)]*)\)")
LAST_FILES = {"test_bulk.py"}


def test_every_transactional_test_restores_the_migrations_rows() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("test_*.py")):
        if path.name in LAST_FILES or path == Path(__file__).resolve():
            continue
        for match in TRANSACTIONAL.finditer(path.read_text(encoding="utf-8")):
            if "serialized_rollback=True" not in match.group(1):
                offenders.append(f"{path.relative_to(TESTS)}: django_db({match.group(1)})")

    assert not offenders, "add serialized_rollback=True: " + "; ".join(offenders)


def test_the_files_allowed_to_do_without_really_run_last() -> None:
    # pytest collects each folder's entries sorted by name, files and folders alike.
    serialized = {
        path.relative_to(TESTS).parts[0]
        for path in TESTS.rglob("test_*.py")
        if path != Path(__file__).resolve()
        and "serialized_rollback=True" in path.read_text(encoding="utf-8")
    }

    assert serialized and all(first < last for first in serialized for last in LAST_FILES)
