"""A cycle killed (kill -9) after any step, then run again, ends in the clean run's state.

Runs the real ``arrears`` command in subprocesses against a scratch database of the same
kind as the test run (a SQLite file, or a fresh PostgreSQL database), so nothing of the
test's own transaction is involved.
"""

from __future__ import annotations

import json
import signal
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from arrears.cycle.choices import STEPS
from tests.scratch import Scratch, arrears

pytestmark = pytest.mark.django_db


def test_a_cycle_killed_after_any_step_resumes_to_the_clean_state(scratch: Scratch) -> None:
    tag = uuid.uuid4().hex[:8]
    template = f"arrears_crash_{tag}"
    today = timezone.localdate()
    day = (today + timedelta(days=1)).isoformat()
    scratch.create_demo(template, 150)
    done = arrears(
        scratch, template, "cycle", "--date", today.isoformat(), "--partition-loans", "40"
    )
    assert done.returncode == 0, done.stderr

    clean = f"{template}_clean"
    scratch.create(clean, template)
    assert (
        arrears(scratch, clean, "cycle", "--date", day, "--partition-loans", "40").returncode == 0
    )
    expected = arrears(scratch, clean, "cycle", "--digest").stdout.strip()

    for step in STEPS:
        name = f"{template}_{step}"
        scratch.create(name, template)
        killed = arrears(
            scratch,
            name,
            "cycle",
            "--date",
            day,
            "--partition-loans",
            "40",
            ARREARS_CYCLE_KILL_AFTER=step,
        )
        assert killed.returncode == -signal.SIGKILL, (step, killed.stderr)
        halfway = arrears(scratch, name, "cycle", "--digest").stdout.strip()
        resumed = arrears(
            scratch, name, "cycle", "--date", day, "--partition-loans", "40", "--json"
        )
        assert resumed.returncode == 0, (step, resumed.stderr)
        # The resumed run says what `cycle --status` would: the date's run, completed on its
        # second attempt (read from its cycle run row, as --status reads it).
        run = json.loads(resumed.stdout)

        assert arrears(scratch, name, "cycle", "--digest").stdout.strip() == expected, step
        assert (run["date"], run["status"], run["attempts"]) == (day, "completed", 2), run
        if step != STEPS[-1]:
            assert halfway != expected, f"killing after {step} left nothing to resume"


def test_two_workers_reach_the_same_state_as_one(scratch: Scratch) -> None:
    template = f"arrears_workers_{uuid.uuid4().hex[:8]}"
    today = timezone.localdate()
    scratch.create_demo(template, 150)
    digests = {}
    for workers in ("1", "2"):
        name = f"{template}_w{workers}"
        scratch.create(name, template)
        run = arrears(
            scratch, name, "cycle", "--date", today.isoformat(), "--workers", workers,
            "--partition-loans", "20", "--json",
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        digests[workers] = arrears(scratch, name, "cycle", "--digest").stdout.strip()
        latest = json.loads(arrears(scratch, name, "cycle", "--status", "--json").stdout)[0]
        assert (latest["status"], latest["workers"]) == ("completed", int(workers))

    assert digests["1"] == digests["2"]
