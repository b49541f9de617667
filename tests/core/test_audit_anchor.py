"""Someone with database access rewrites the audit log and recomputes the hashes: the key
and the anchors kept outside the database give it away, and `audit verify` names the entry."""

from __future__ import annotations

import importlib
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from arrears.core.audit import audit_record
from arrears.core.audit_anchor import anchors_read
from arrears.core.audit_chain import GENESIS, ChainEntry, entry_hash, key_id_of
from arrears.core.models import AuditEntry, AuditHead

pytestmark = pytest.mark.django_db
KEY = b"the real audit key, 32 bytes ok!"


@pytest.fixture(autouse=True)
def _key(settings: Any, tmp_path: Path) -> None:
    settings.ARREARS_AUDIT_KEY = KEY.hex()
    settings.DATA_DIR = tmp_path


def _record(count: int) -> None:
    for n in range(count):
        audit_record(
            actor=None,
            action="waiver.grant",
            subject_type="loan",
            subject_id=n,
            data={"amount": 1000 + n, "note": "减免"},
        )


def _verify(*args: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def _anchor(*args: str) -> str:
    out = StringIO()
    call_command("audit", "anchor", *args, stdout=out)
    return out.getvalue()


def _rewrite_from(number: int, *, key: bytes | None, key_id: str, data: dict[str, Any]) -> None:
    """The attack: change one row's data, then recompute that row's and every later hash and
    the head, as someone with the database but not the key would (``key`` their guess, or
    None for the old unkeyed algorithm)."""
    AuditEntry.objects.filter(number=number).update(data=data)
    prev = AuditEntry.objects.get(number=number - 1).hash if number > 1 else GENESIS
    rows = list(AuditEntry.objects.filter(number__gte=number).order_by("number"))
    # Out of the way of the unique hash column while the hashes are recomputed.
    for row in rows:
        AuditEntry.objects.filter(pk=row.pk).update(hash=f"{row.number:064d}")
    for row in rows:
        content = ChainEntry(
            row.number, row.at.isoformat(), row.actor_id, row.actor_name, row.action,
            row.subject_type, row.subject_id, row.data, key_id,
        )  # fmt: skip
        digest = entry_hash(prev, content, key)
        AuditEntry.objects.filter(pk=row.pk).update(prev_hash=prev, hash=digest, key_id=key_id)
        prev = digest
    AuditHead.objects.filter(pk=1).update(last_hash=prev)


def test_a_long_chain_verifies_clean_before_and_after_an_anchor(tmp_path: Path) -> None:
    _record(300)
    assert "Audit chain intact: 300 entries" in _verify()

    said = _anchor()
    _record(60)
    checked = _verify()

    assert "Anchored 300 entries" in said
    assert "Audit chain intact: 360 entries" in checked
    assert "matches the anchor" in checked and "(300 entries)" in checked
    [anchor] = anchors_read(tmp_path / "anchors.jsonl")
    assert (anchor.count, anchor.key_id, anchor.legacy) == (300, key_id_of(KEY), 0)
    assert anchor.hash == AuditEntry.objects.get(number=300).hash


def test_a_row_rewritten_with_the_old_unkeyed_algorithm_is_named(tmp_path: Path) -> None:
    _record(40)
    _anchor()
    _record(10)

    _rewrite_from(17, key=None, key_id="", data={"amount": 1, "note": "减免"})

    with pytest.raises(CommandError, match="broken at entry 17: it is unkeyed but follows keyed"):
        _verify()


def test_a_row_rewritten_with_a_guessed_key_is_named(tmp_path: Path) -> None:
    _record(40)
    _anchor()
    guess = b"arrears" * 5

    _rewrite_from(23, key=guess, key_id=key_id_of(KEY), data={"amount": 1})
    with pytest.raises(CommandError, match="broken at entry 23: its content does not match"):
        _verify()
    # Naming the guessed key instead does no better.
    _rewrite_from(23, key=guess, key_id=key_id_of(guess), data={"amount": 1})
    with pytest.raises(CommandError, match=r"broken at entry 23: .* not in the keyring"):
        _verify()


def test_a_deleted_tail_with_a_rewritten_head_shows_against_the_anchor(tmp_path: Path) -> None:
    _record(50)
    _anchor()

    AuditEntry.objects.filter(number__gt=40).delete()
    last = AuditEntry.objects.get(number=40)
    AuditHead.objects.filter(pk=1).update(count=40, last_hash=last.hash)

    with pytest.raises(CommandError, match=r"broken at entry 41: .* entries 41–50 were removed"):
        _verify()


def test_a_rewrite_with_the_stolen_key_still_shows_against_the_anchors(tmp_path: Path) -> None:
    _record(20)
    _anchor()
    _record(20)
    _anchor()

    _rewrite_from(31, key=KEY, key_id=key_id_of(KEY), data={"amount": 1})

    # The first anchor (20 entries) still holds, so the rewrite lies in 21–40.
    with pytest.raises(CommandError, match=r"broken at entry 21: .* from 21 to 40 was rewritten"):
        _verify()


def test_anchor_prints_the_head_as_one_json_line_and_refuses_a_broken_chain() -> None:
    _record(5)

    line = json.loads(_anchor("--out", "-"))

    assert set(line) == {"at", "count", "hash", "key_id", "legacy"}
    assert (line["count"], line["hash"]) == (5, AuditEntry.objects.get(number=5).hash)
    AuditEntry.objects.filter(number=3).update(action="waiver.revoke")
    with pytest.raises(CommandError, match="not anchored: audit chain broken at entry 3"):
        _anchor("--out", "-")


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.headers["Content-Type"], body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
    received: list[tuple[str, bytes]] = []
    handler = type("Receiver", (_Receiver,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/anchors", received
    finally:
        server.shutdown()
        server.server_close()


def test_anchor_posts_the_head_to_the_operators_address(
    webhook: tuple[str, list[tuple[str, bytes]]], tmp_path: Path
) -> None:
    url, received = webhook
    _record(7)
    out = tmp_path / "elsewhere" / "anchors.jsonl"

    _anchor("--out", str(out), "--url", url)

    [(content_type, body)] = received
    assert content_type == "application/json"
    assert json.loads(body) == json.loads(out.read_text())
    assert json.loads(body)["count"] == 7
    assert "matches the anchor" in _verify("--anchor", str(out))


def test_an_unreachable_address_or_a_bad_anchor_file_is_a_clear_error(tmp_path: Path) -> None:
    _record(2)
    with pytest.raises(
        CommandError, match=re.escape("Could not post the anchor to http://127.0.0.1:9/")
    ):
        _anchor("--out", "-", "--url", "http://127.0.0.1:9/")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"count": 2, "hash": "abc"}\nnot json\n')
    with pytest.raises(CommandError, match=re.escape("bad.jsonl, line 1: not an audit anchor")):
        _verify("--anchor", str(bad))


def _legacy_entries(count: int) -> None:
    """The log as written before the key existed: plain SHA-256, no key id."""
    prev = GENESIS
    for number in range(1, count + 1):
        at = "2026-01-01T08:00:00+00:00"
        content = ChainEntry(number, at, None, "system", "hold.place", "party", str(number), {})
        digest = entry_hash(prev, content)
        AuditEntry.objects.create(
            number=number, at=at, actor_name="system", action="hold.place",
            subject_type="party", subject_id=str(number), data={}, prev_hash=prev, hash=digest,
        )  # fmt: skip
        prev = digest
    AuditHead.objects.update_or_create(pk=1, defaults={"last_hash": prev, "count": count})


def _upgrade() -> None:
    """The data migration that seals the unkeyed entries, as `arrears migrate` runs it."""
    module = importlib.import_module("arrears.core.migrations.0003_audit_legacy_prefix_sealed")
    module.legacy_prefix_seal(apps, SimpleNamespace(connection=connection))


def test_the_upgrade_seals_the_unkeyed_entries_and_keys_the_rest(tmp_path: Path) -> None:
    _legacy_entries(12)
    _upgrade()
    _record(8)

    checked = _verify()

    assert "Audit chain intact: 20 entries" in checked and "12 unkeyed" in checked
    [sealed] = anchors_read(tmp_path / "anchors.jsonl")
    assert (sealed.count, sealed.legacy, sealed.key_id) == (12, 12, "")
    assert AuditHead.objects.get(pk=1).legacy_count == 12
    assert AuditEntry.objects.get(number=13).key_id == key_id_of(KEY)


def test_turning_keyed_entries_into_unkeyed_ones_is_caught(tmp_path: Path) -> None:
    _legacy_entries(12)
    _upgrade()
    _record(8)
    _anchor()

    # Entry 13 onwards recomputed the old way, the unkeyed count in the head raised to match:
    # only the anchors outside the database still say where the unkeyed entries end.
    _rewrite_from(13, key=None, key_id="", data={"amount": 1})
    AuditHead.objects.filter(pk=1).update(legacy_count=20)

    with pytest.raises(
        CommandError, match="broken at entry 13: 20 entries are unkeyed where the anchor"
    ):
        _verify()
