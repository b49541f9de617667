"""The README's commands run as printed: on what `make run` builds (migrate, then the demo),
each line of the "Using it" block runs in bash, in a folder holding a copy of examples/, and
succeeds; the lines a new user checks first say what the README says they do."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.scratch import Scratch

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def readme_commands() -> list[str]:
    """Every command line of the shell blocks under "## Using it" (comments kept: bash
    ignores them, as it does when a person pastes the line)."""
    section = README.read_text(encoding="utf-8").split("## Using it", 1)[1].split("\n## ", 1)[0]
    lines: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        lines.extend(line for line in block.splitlines() if line.strip())
    return lines


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def zone_on_another_date() -> str:
    """A time zone whose date is not the business date (Asia/Shanghai) at this moment."""
    now = datetime.now(UTC)
    shanghai = now.astimezone(ZoneInfo("Asia/Shanghai")).date()
    for zone in ("Etc/GMT+12", "Etc/GMT-14"):
        if now.astimezone(ZoneInfo(zone)).date() != shanghai:
            return zone
    raise AssertionError("UTC-12 and UTC+14 cannot both share Shanghai's date")


def run(line: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", line], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


def serve_answers(line: str, env: dict[str, str], cwd: Path) -> int:
    """`arrears serve` runs until stopped: start it (on a free port, so a running `make run`
    does not collide), wait for the login page to answer, stop it."""
    port = free_port()
    server = subprocess.Popen(
        ["bash", "-c", f"exec {line.split('#')[0].strip()} 127.0.0.1:{port}"],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as page:
                    return int(page.status)
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)  # polling a port that is not open yet, not timing a result
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_every_readme_command_runs_as_printed_on_a_fresh_demo(
    scratch: Scratch, tmp_path: Path
) -> None:
    name = f"readme_{os.getpid()}"
    # What `make run` builds: `arrears migrate` (a copy of this process's migrated scratch
    # database, which `arrears migrate` made), then the demo.
    scratch.create_migrated(name)
    env = scratch.env(name)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    # The shell runs in a zone whose calendar date differs from Shanghai's right now (one of
    # UTC-12 and UTC+14 always does), as a server kept in UTC does for eight hours a day: a
    # command that takes "today" from the shell's zone instead of the business zone fails.
    env["TZ"] = zone_on_another_date()
    work = tmp_path / "work"
    shutil.copytree(ROOT / "examples", work / "examples")
    done = run("arrears demo --if-empty", env, work)  # as make run
    assert done.returncode == 0, done.stderr

    outputs: dict[str, str] = {}
    failures = []
    for line in readme_commands():
        if line.startswith("arrears serve"):
            assert serve_answers(line, env, work) == 200
            continue
        done = run(line, env, work)
        outputs[line] = done.stdout
        if done.returncode != 0:
            failures.append(f"{line}\n  exit {done.returncode}: {done.stderr.strip()[-800:]}")
    assert failures == []

    def output_of(start: str) -> str:
        return next(out for line, out in outputs.items() if line.startswith(start))

    loan = json.loads(output_of("arrears loan DEMO00000001 --json"))
    assert loan["dpd"] > 0 and loan["case"] is not None  # the demo's overdue loan
    case = json.loads(output_of("arrears case DEMO00000001 --json"))
    assert case["case"]["status"] == "open" and case["playbook"]
    imported = json.loads(output_of("arrears ingest payments examples/payments.csv"))
    assert imported["created"] == 6 and imported["rejected"] == 0
    assert "3 rejected" in output_of("arrears ingest loans examples/loans-with-errors.csv")
    assert (work / "examples/loans-with-errors.rejects.csv").exists()
    assert (work / "guaranteed.yaml").read_text(encoding="utf-8").strip()
