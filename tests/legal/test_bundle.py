"""The evidence bundle: one zip holding every kind of record about a loan, an index and a
manifest whose hash is on the audit log; it verifies, and any changed, missing or added
file is named; only the legal desk may make one; its reads do not grow with the records."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import zipfile
from argparse import ArgumentParser
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.accounts.models import User
from arrears.cases.activity_seal import activity_digest
from arrears.cases.models import Activity, CollectionCase, PlanInstallment, Promise, RepaymentPlan
from arrears.compliance.models import ContactAttempt
from arrears.core.audit import audit_record
from arrears.core.errors import InvalidInput, NotFound
from arrears.core.models import AuditEntry
from arrears.legal.bundle import INDEX, bundle_zip, evidence_bundle_make
from arrears.legal.bundle_contents import BundleFile
from arrears.legal.bundle_verify import MANIFEST, MANIFEST_HASH, bundle_verify
from arrears.legal.cli import bundle as bundle_cli
from arrears.legal.models import EvidenceBundle, LegalDocument, Matter, MatterCost, MatterLoan
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, payment_row, valid_id, write_csv

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 10)
AT = datetime(2026, 3, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SMS = "【测试小贷】张三您好，您的借款已逾期，请尽快还款。"


@dataclass
class World:
    creditor: Creditor
    loan: Loan
    case: CollectionCase
    legal: User
    collector: User
    borrower_id: int


@pytest.fixture(autouse=True)
def _own_data_dir(settings: Any, tmp_path: Path) -> None:
    """Letters, court papers and the bundle store of this test only."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path) -> World:
    loan = loan_row("L1", borrower_name="张三", guarantor_name="李四")
    loan["guarantor_id_number"] = valid_id()
    payment = payment_row("PAY-1", "L1", "2026-03-01", "100.00", "bank")
    for kind, row in (("loans", loan), ("payments", payment)):
        tape = write_csv(tmp_path / f"{kind}.csv", [row])
        assert tape_ingest(creditor=creditor, kind=kind, path=tape).rejected == 0
    call_command("cycle", "--date", ON.isoformat(), "--json", stdout=io.StringIO())
    case = CollectionCase.objects.select_related("loan").get(loan__loan_id="L1")
    legal = User.objects.create_user("legal1", role="legal_officer")
    legal.creditors.add(creditor)
    collector = User.objects.create_user("collector1", role="collector")
    borrower = case.loan.loan_parties.get(role="borrower").party_id
    return World(creditor, case.loan, case, legal, collector, borrower)


def contact(world: World, n: int = 0) -> Activity:
    """A sealed call in which the borrower promised to pay, and the gate's record of it."""
    activity = Activity(
        case=world.case, party_id=world.borrower_id, channel="call", party_reached="borrower",
        outcome="promise", notes=f"借款人承诺三月底前还款 ({n})", by=world.collector,
        at=AT.replace(minute=n % 60),
    )  # fmt: skip
    activity.sha256 = activity_digest(activity)
    activity.save()
    ContactAttempt.objects.create(
        loan=world.loan, party_id=world.borrower_id, role="borrower", channel="call",
        number="+8613800138000", at=activity.at, outcome="conversation", by="collector1",
    )  # fmt: skip
    return activity


def message(world: World, n: int = 0, *, channel: str = "sms", body: str = SMS) -> OutboxMessage:
    return OutboxMessage.objects.create(
        case=world.case, loan=world.loan, party_id=world.borrower_id,
        planned_action_id=1000 + n, channel=channel, purpose="reminder", status="sent",
        due_at=AT, sent_at=AT, to="13800138000", body=body,
        body_sha256=hashlib.sha256(body.encode()).hexdigest(),
    )  # fmt: skip


def everything(world: World) -> int:
    """A contact, a sent text, a letter in its print batch, a promise, a plan, a court
    paper, and audit entries about the case and about someone else's. Answers the
    letter's message id."""
    contact(world)
    message(world)
    letter = message(world, 1, channel="letter", body="<p>催收函</p>")
    batch = Path(settings.DATA_DIR) / "letters" / ON.isoformat()
    batch.mkdir(parents=True)
    (batch / f"{letter.pk}.pdf").write_bytes(b"%PDF-1.4 letter")
    Promise.objects.create(
        case=world.case, loan_id=world.loan.pk, party_id=world.borrower_id, amount=50_000,
        made_on=ON, due_on=date(2026, 3, 31), by=world.collector,
    )  # fmt: skip
    plan = RepaymentPlan.objects.create(
        case=world.case, loan_id=world.loan.pk, total=300_000, installments=3,
        start_on=date(2026, 4, 1), status="active", requested_by=world.collector, made_on=ON,
    )  # fmt: skip
    PlanInstallment.objects.create(plan=plan, number=1, due_on=date(2026, 4, 1), amount=100_000)
    paper = Path(settings.DATA_DIR) / "legal" / "documents" / "complaint.docx"
    paper.parent.mkdir(parents=True)
    paper.write_bytes(b"PK complaint")
    LegalDocument.objects.create(
        loan=world.loan, kind="complaint", format="docx", as_of=ON,
        path="legal/documents/complaint.docx", size=12,
        sha256=hashlib.sha256(b"PK complaint").hexdigest(),
    )  # fmt: skip
    audit_record(actor=None, action="case.note", subject_type="case", subject_id=world.case.pk)
    audit_record(actor=None, action="case.note", subject_type="case", subject_id=-1)
    return letter.pk


def make(world: World, tmp_path: Path, **kwargs: Any) -> tuple[EvidenceBundle, Path]:
    bundle = evidence_bundle_make(loan=world.loan, out_dir=tmp_path / "out", as_of=ON, **kwargs)
    return bundle, tmp_path / "out" / Path(bundle.path).name


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def rows(path: Path, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(member(path, name).decode("utf-8-sig"))))


def rewrite(path: Path, *, change: str = "", drop: str = "", add: str = "") -> Path:
    """A copy of the bundle with one member's middle byte flipped, one left out, or one
    added: what someone editing an unpacked bundle and zipping it again would hand over."""
    out = path.with_name("tampered.zip")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename == drop:
                continue
            data = source.read(info)
            if info.filename == change:
                middle = len(data) // 2
                data = data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]
            target.writestr(info, data)
        if add:
            target.writestr(add, b"slipped in")
    return out


def cli(*args: str) -> tuple[int | None, str]:
    """Run ``arrears legal <args>`` through this module's parser alone."""
    parser = ArgumentParser()
    bundle_cli.add_to(parser.add_subparsers(dest="action", required=True))
    options = vars(parser.parse_args(args))
    out = io.StringIO()
    code = options["run"](options, OutputWrapper(out))
    return code, out.getvalue()


def test_the_bundle_holds_every_kind_of_record_and_verifies(world: World, tmp_path: Path) -> None:
    letter = everything(world)

    bundle, path = make(world, tmp_path)

    names = zipfile.ZipFile(path).namelist()
    assert names[0] == INDEX and names[-2:] == [MANIFEST, MANIFEST_HASH]
    assert member(path, INDEX).startswith(b"%PDF")
    terms = json.loads(member(path, "01_借款合同与还款计划/terms.json"))
    borrower = next(p for p in terms["parties"] if p["role"] == "borrower")
    assert borrower["name"] == "张三" and "*" not in borrower["id_number"], "in full"
    assert len(rows(path, "01_借款合同与还款计划/schedule.csv")) == 12
    assert json.loads(member(path, "02_对账单与诉请计算/claim.json"))["loan_id"] == "L1"
    assert rows(path, "02_对账单与诉请计算/statement.csv")[-1]["期数"] == "合计"
    assert [r["交易编号"] for r in rows(path, "03_还款记录/payments.csv")] == ["PAY-1"]
    (call,) = rows(path, "04_催收记录/contacts.csv")
    assert "承诺三月底前还款" in call["记录内容"] and call["封存校验一致"] == "是"
    assert len(rows(path, "04_催收记录/attempts.csv")) == 1
    sms = next(r for r in rows(path, "05_发送的信息/messages.csv") if r["渠道"] == "sms")
    assert member(path, sms["文件"]) == SMS.encode() and sms["一致"] == "是"
    assert member(path, f"06_函件与文书/letters/{letter}.pdf") == b"%PDF-1.4 letter"
    (paper,) = rows(path, "06_函件与文书/documents.csv")
    assert paper["一致"] == "是" and member(path, paper["文件"]) == b"PK complaint"
    assert rows(path, "07_承诺与分期/promises.csv")[0]["金额"] == "500.00"
    assert len(rows(path, "07_承诺与分期/plan_installments.csv")) == 1
    audited = {(r["动作"], r["对象编号"]) for r in rows(path, "08_审计记录/audit.csv")}
    assert ("case.note", str(world.case.pk)) in audited and ("case.note", "-1") not in audited
    assert rows(path, "09_诉讼时效与法律程序/holds.csv") == []
    result = bundle_verify(path)
    assert result.intact and result.files == bundle.files == len(names)
    assert (tmp_path / "data" / bundle.path).read_bytes() == path.read_bytes(), "a kept copy"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == bundle.sha256


def test_the_manifest_hash_is_on_the_audit_log(world: World, tmp_path: Path) -> None:
    bundle, path = make(world, tmp_path, user=world.legal)

    entry = AuditEntry.objects.get(action="legal.bundle")
    manifest = hashlib.sha256(member(path, MANIFEST)).hexdigest()
    assert entry.data["manifest_sha256"] == manifest == bundle.manifest_sha256
    assert member(path, MANIFEST_HASH).decode() == f"{manifest}  {MANIFEST}\n"
    assert entry.data["sha256"] == bundle.sha256 and entry.actor_id == world.legal.pk
    assert (entry.subject_type, entry.subject_id) == ("loan", str(world.loan.pk))


def test_a_changed_missing_or_added_file_is_named(world: World, tmp_path: Path) -> None:
    everything(world)
    _bundle, path = make(world, tmp_path)

    result = bundle_verify(rewrite(path, change="04_催收记录/contacts.csv"))

    assert not result.intact
    assert result.changed == ("04_催收记录/contacts.csv",)
    assert result.missing == () and result.extra == ()
    missing = bundle_verify(rewrite(path, drop="03_还款记录/payments.csv"))
    assert missing.missing == ("03_还款记录/payments.csv",) and not missing.changed
    extra = bundle_verify(rewrite(path, add="03_还款记录/receipt.jpg"))
    assert extra.extra == ("03_还款记录/receipt.jpg",) and not extra.changed


def test_a_byte_flipped_in_the_zip_itself_fails_naming_that_file(
    world: World, tmp_path: Path
) -> None:
    _bundle, path = make(world, tmp_path)
    name = "01_借款合同与还款计划/schedule.csv"
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    raw = bytearray(path.read_bytes())
    # The member's data starts after its local header (30 bytes, its name and extra field).
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + info.compress_size // 2] ^= 0x10
    path.write_bytes(bytes(raw))

    result = bundle_verify(path)

    assert result.changed == (name,)


def test_a_changed_manifest_file_is_named_with_the_audit_logs_help(
    world: World, tmp_path: Path
) -> None:
    _bundle, path = make(world, tmp_path)

    code, out = cli("bundle-verify", str(rewrite(path, change=MANIFEST_HASH)))
    assert code == 1 and out.startswith(f"changed: {MANIFEST_HASH}")

    code, out = cli("bundle-verify", str(rewrite(path, change=MANIFEST)))
    assert code == 1 and f"changed: {MANIFEST} (" in out
    assert f"changed: {MANIFEST_HASH}" not in out


def test_a_bundle_unpacked_and_zipped_again_with_a_tool_is_checked_file_by_file(
    world: World, tmp_path: Path
) -> None:
    _bundle, path = make(world, tmp_path)
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(path).extractall(unpacked)
    (unpacked / "03_还款记录" / "payments.csv").write_bytes(b"edited")
    again = tmp_path / "again.zip"
    # Info-ZIP stores the names' bytes without marking them UTF-8, and adds folder entries.
    subprocess.run(["zip", "-qr", str(again), "."], cwd=unpacked, check=True)

    result = bundle_verify(again)

    assert result.changed == ("03_还款记录/payments.csv",)
    assert result.missing == () and result.extra == ()


def test_a_manifest_rewritten_to_match_is_caught_by_the_audit_log(
    world: World, tmp_path: Path
) -> None:
    _bundle, path = make(world, tmp_path)
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(path) as source:
        files = [
            BundleFile(i.filename, source.read(i))
            for i in source.infolist()
            if i.filename not in (MANIFEST, MANIFEST_HASH)
        ]
    files[1] = BundleFile(files[1].name, files[1].data + b"\r\n")
    forged.write_bytes(bundle_zip(files, as_of=ON)[0])

    code, out = cli("bundle-verify", str(forged), "--require-recorded")

    assert bundle_verify(forged).intact, "from the zip alone a full forgery looks whole"
    assert code == 1 and "does not record this manifest" in out
    assert cli("bundle-verify", str(path), "--require-recorded")[0] is None


def test_the_command_line_makes_and_verifies(world: World, tmp_path: Path) -> None:
    code, out = cli(
        "bundle", "L1", "--out", str(tmp_path / "out"), "--as-of", "2026-03-10", "--json"
    )
    answer = json.loads(out)
    assert code is None and {"path", "files", "sha256"} <= set(answer)
    path = Path(answer["path"])
    assert hashlib.sha256(path.read_bytes()).hexdigest() == answer["sha256"]

    code, out = cli("bundle-verify", str(path))
    assert code is None and out.startswith(f"intact: {answer['files']} files")
    assert "the audit log records" in out

    code, out = cli("bundle-verify", str(rewrite(path, change="03_还款记录/payments.csv")))
    assert code == 1 and "changed: 03_还款记录/payments.csv" in out.splitlines()


def test_a_file_that_is_no_bundle_exits_2_saying_why(tmp_path: Path) -> None:
    text, plain = tmp_path / "notes.txt", tmp_path / "plain.zip"
    text.write_text("hello")
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("a.txt", "a")
    nowhere = tmp_path / "nowhere.zip"
    for path, says in ((text, "not a zip"), (plain, "not an evidence"), (nowhere, "no such")):
        with pytest.raises(CommandError, match=says) as raised:
            call_command("legal", "bundle-verify", str(path))
        assert raised.value.returncode == 2


def test_a_bundle_filed_under_a_matter_lists_it(world: World, tmp_path: Path) -> None:
    matter = Matter.objects.create(
        creditor=world.creditor, loan=world.loan, kind="lawsuit", opened_on=ON, court="某区法院"
    )
    MatterLoan.objects.create(matter=matter, loan=world.loan)
    MatterCost.objects.create(matter=matter, kind="court_fee", amount=105_000, incurred_on=ON)

    bundle, path = make(world, tmp_path, matter=matter)

    assert bundle.matter == matter
    assert [r["法院"] for r in rows(path, "09_诉讼时效与法律程序/matters.csv")] == ["某区法院"]
    assert rows(path, "09_诉讼时效与法律程序/matter_costs.csv")[0]["金额"] == "1050.00"
    other = Loan.objects.create(
        creditor=world.creditor, loan_id="L2", principal=1, annual_rate="0.1", term_months=1,
        repayment_method="bullet", disbursed_on=ON, penalty_rate="0.1",
    )  # fmt: skip
    with pytest.raises(InvalidInput, match="does not cover"):
        evidence_bundle_make(loan=other, out_dir=tmp_path / "out", matter=matter, as_of=ON)


def test_a_collector_cannot_make_a_bundle(world: World, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied, match=r"reveal|legal"):
        make(world, tmp_path, user=world.collector)
    outsider = User.objects.create_user("legal2", role="legal_officer")
    with pytest.raises(NotFound):
        make(world, tmp_path, user=outsider)
    assert not EvidenceBundle.objects.exists()
    assert not AuditEntry.objects.filter(action="legal.bundle").exists()


def test_the_same_evidence_gives_the_same_bytes() -> None:
    files = [BundleFile("b/2.csv", b"2"), BundleFile("a/1.csv", b"1")]

    first, manifest, count = bundle_zip(files, as_of=ON)

    assert bundle_zip(list(reversed(files)), as_of=ON)[0] == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.namelist() == ["a/1.csv", "b/2.csv", MANIFEST, MANIFEST_HASH] and count == 4
        assert {i.date_time for i in archive.infolist()} == {(2026, 3, 10, 0, 0, 0)}
        assert hashlib.sha256(archive.read(MANIFEST)).hexdigest() == manifest


def test_the_reads_do_not_grow_with_the_contacts(world: World, tmp_path: Path) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            make(world, tmp_path)
        return len(captured.captured_queries)

    contact(world)
    message(world)
    make(world, tmp_path)  # the first audited act of a run creates the chain's head row
    one = queries()
    for n in range(1, 20):
        contact(world, n)
        message(world, n)
    assert queries() == one
