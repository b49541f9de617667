"""`arrears backup` and `arrears restore`, the real commands in subprocesses: a portfolio
backed up and restored into a fresh database has the same loans, cases and audit chain."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

from tests.scratch import Scratch, arrears

# The same audit key on both sides, as production keeps it in its secret store (a backup
# never holds keys).
KEY = {"ARREARS_AUDIT_KEY": "6b" * 32}
# Cases and audit entries beyond the demo's: the lead hands five open cases back to the pool
# (the demo's past month ends also leave closed cases that kept their collector).
PREPARE = """
from django.utils import timezone
from arrears.accounts.models import User
from arrears.cases.assignment_services import case_reassign
from arrears.cases.models import CollectionCase
lead = User.objects.get(username="manager")
for case in CollectionCase.objects.filter(status="open").exclude(assignee=None).order_by("pk")[:5]:
    case_reassign(case=case, assignee=None, by=lead, reason="backup drill",
                  on=timezone.localdate())
"""
STATE = """
import json
from arrears.cases.models import CollectionCase
from arrears.core.models import AuditEntry
from arrears.portfolio.models import LoanPosition
positions = LoanPosition.objects.order_by("loan__loan_id").values_list(
    "loan__loan_id", "principal_outstanding", "overdue_principal", "overdue_interest",
    "overdue_fees", "overdue_penalty", "dpd", "bucket")
cases = CollectionCase.objects.order_by("pk").values_list("pk", "status", "assignee_id")
head = AuditEntry.objects.order_by("-number").values_list("number", "hash").first()
print(json.dumps({"positions": list(positions), "cases": list(cases), "head": head}))
"""
# Writes audit entries, one transaction each, until told to stop; says when it has begun.
WRITER = """
import os
from pathlib import Path
from arrears.core.audit import audit_record
stop = Path(os.environ["BACKUP_WRITER_STOP"])
for n in range(100_000):
    audit_record(actor=None, action="reveal.phone", subject_type="party", subject_id=n)
    if n == 20:
        print("writing", flush=True)
    if n > 20 and stop.exists():
        break
"""


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def _state(scratch: Scratch, name: str) -> dict[str, object]:
    out = _ok(arrears(scratch, name, "shell", "-c", STATE, **KEY))
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_a_backup_restores_into_a_fresh_database_with_the_same_state(
    scratch: Scratch, tmp_path: Path
) -> None:
    source = f"arrears_backup_src_{uuid.uuid4().hex[:8]}"
    scratch.create_migrated(source)
    _ok(arrears(scratch, source, "demo", "--loans", "60", **KEY))
    _ok(arrears(scratch, source, "shell", "-c", PREPARE, **KEY))
    before = _state(scratch, source)
    backup = tmp_path / "arrears.backup"

    said = _ok(arrears(scratch, source, "backup", "--out", str(backup), **KEY))
    target = f"arrears_backup_dst_{uuid.uuid4().hex[:8]}"
    scratch.create(target)
    restored = _ok(arrears(scratch, target, "restore", str(backup), **KEY))
    after = _state(scratch, target)
    verified = _ok(arrears(scratch, target, "audit", "verify", "--json", **KEY))

    sidecar = json.loads((tmp_path / "arrears.backup.meta.json").read_text())
    assert "Keys are not in the backup" in said
    assert len(before["positions"]) == 60 and len(before["cases"]) >= 5  # type: ignore[arg-type]
    assert after == before
    assert [sidecar["audit"]["count"], sidecar["audit"]["hash"]] == before["head"]
    assert sidecar["arrears_version"] and "cases" in sidecar["migrations"]
    assert "the same as the backup recorded" in restored
    check = json.loads(verified.strip().splitlines()[-1])
    assert check["intact"] and [check["entries"], check["head"]] == before["head"]


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(
    scratch: Scratch, tmp_path: Path
) -> None:
    source = f"arrears_backup_src_{uuid.uuid4().hex[:8]}"
    scratch.create_demo(source, 20, **KEY)
    backup = tmp_path / "arrears.backup"
    _ok(arrears(scratch, source, "backup", "--out", str(backup), **KEY))
    target = f"arrears_backup_dst_{uuid.uuid4().hex[:8]}"
    scratch.create_migrated(target)

    refused = arrears(scratch, target, "restore", str(backup), **KEY)
    forced = arrears(scratch, target, "restore", str(backup), "--force", **KEY)

    assert refused.returncode == 2 and "is not empty" in refused.stderr
    assert "--force" in refused.stderr
    assert forced.returncode == 0, forced.stderr
    assert _state(scratch, target) == _state(scratch, source)


def test_a_restore_without_the_audit_key_says_the_key_is_missing(
    scratch: Scratch, tmp_path: Path
) -> None:
    source = f"arrears_backup_src_{uuid.uuid4().hex[:8]}"
    scratch.create_demo(source, 20, **KEY)
    _ok(arrears(scratch, source, "shell", "-c", PREPARE, **KEY))
    backup = tmp_path / "arrears.backup"
    _ok(arrears(scratch, source, "backup", "--out", str(backup), **KEY))
    target = f"arrears_backup_dst_{uuid.uuid4().hex[:8]}"
    scratch.create(target)

    # The target's data directory has its own, different key file.
    restored = arrears(scratch, target, "restore", str(backup))

    assert restored.returncode == 1
    assert "not in the keyring" in restored.stderr and "audit keys" in restored.stderr


def test_a_backup_taken_while_the_application_writes_is_consistent(
    scratch: Scratch, tmp_path: Path
) -> None:
    source = f"arrears_backup_src_{uuid.uuid4().hex[:8]}"
    scratch.create_migrated(source)
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-m", "arrears", "shell", "-c", WRITER],
        env=scratch.env(source, BACKUP_WRITER_STOP=str(stop), **KEY),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        said: list[str] = []
        for line in writer.stdout:  # until the writer has begun (or has died)
            said.append(line.strip())
            if said[-1] == "writing":
                break
        assert said[-1:] == ["writing"], said
        backup = tmp_path / "arrears.backup"
        _ok(arrears(scratch, source, "backup", "--out", str(backup), **KEY))
    finally:
        stop.touch()
        writer.wait(timeout=120)
    target = f"arrears_backup_dst_{uuid.uuid4().hex[:8]}"
    scratch.create(target)

    restored = _ok(arrears(scratch, target, "restore", str(backup), **KEY))

    recorded = json.loads((tmp_path / "arrears.backup.meta.json").read_text())["audit"]
    written = _state(scratch, source)["head"]
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    assert 21 <= recorded["count"] <= written[0]  # type: ignore[index]
    assert "the same as the backup recorded" in restored
    assert _state(scratch, target)["head"] == [recorded["count"], recorded["hash"]]
