"""The audit log is a keyed hash chain: any edit, deletion or reordering shows in `audit
verify`, the key lives outside the database, and a key can be rotated."""

from __future__ import annotations

import json
import os
import stat
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from arrears.accounts.models import User
from arrears.core.audit import audit_record, audit_rekey, audit_verify
from arrears.core.audit_chain import (
    GENESIS,
    REKEY_ACTION,
    ChainEntry,
    entry_hash,
    key_id_of,
    verify,
)
from arrears.core.audit_keys import keyring
from arrears.core.errors import InvalidInput
from arrears.core.models import AuditEntry

KEY = bytes(range(32))
KEYS = {key_id_of(KEY): KEY}


def _entry(number: int, action: str = "hold.place", key_id: str = key_id_of(KEY)) -> ChainEntry:
    return ChainEntry(
        number, "2026-07-01T10:00:00+00:00", 7, "lead", action, "case", "42", {}, key_id
    )


def _chain(*entries: ChainEntry, key: bytes = KEY) -> list[tuple[ChainEntry, str, str]]:
    chained, prev = [], GENESIS
    for entry in entries:
        digest = entry_hash(prev, entry, key)
        chained.append((entry, prev, digest))
        prev = digest
    return chained


def test_the_same_content_always_hashes_the_same_and_any_change_shows() -> None:
    first = entry_hash(GENESIS, _entry(1), KEY)

    assert first == entry_hash(GENESIS, _entry(1), KEY)
    assert first != entry_hash(GENESIS, _entry(1, action="hold.lift"), KEY)
    assert first != entry_hash("1" * 64, _entry(1), KEY)
    assert first != entry_hash(GENESIS, _entry(1), bytes(32))
    assert first != entry_hash(GENESIS, _entry(1, key_id=""))


def test_verify_names_the_first_entry_that_breaks_the_chain() -> None:
    chain = _chain(_entry(1), _entry(2), _entry(3))

    assert verify(chain, KEYS) is None
    changed = verify([chain[0], (_entry(2, "plan.approve"), *chain[1][1:]), chain[2]], KEYS)
    assert changed is not None and changed.number == 2 and "changed" in changed.problem
    missing = verify([chain[0], chain[2]], KEYS)
    assert missing is not None and "entry 2 is missing" in missing.problem


def test_an_unkeyed_entry_after_keyed_ones_is_a_rewrite_without_the_key() -> None:
    keyed = _chain(_entry(1), _entry(2))
    unkeyed = _entry(3, key_id="")
    forged = (unkeyed, keyed[1][2], entry_hash(keyed[1][2], unkeyed))

    found = verify([*keyed, forged], KEYS)

    assert found is not None and found.number == 3 and "unkeyed" in found.problem


def test_an_entry_under_an_unknown_or_retired_key_breaks_the_chain() -> None:
    other = b"k" * 32
    first = _chain(_entry(1))[0]
    stranger = _entry(2, key_id=key_id_of(other))
    unknown = verify([first, (stranger, first[2], entry_hash(first[2], stranger, other))], KEYS)
    assert unknown is not None and unknown.number == 2
    assert "not in the keyring" in unknown.problem

    new = b"n" * 32
    both = {**KEYS, key_id_of(new): new}
    rekey = ChainEntry(
        2, "t", None, "system", REKEY_ACTION, "audit_key", key_id_of(new),
        {"retired": key_id_of(KEY)}, key_id_of(new),
    )  # fmt: skip
    h1 = entry_hash(GENESIS, _entry(1), KEY)
    h2 = entry_hash(h1, rekey, new)
    late = _entry(3)  # signed with the retired key after the rekey
    h3 = entry_hash(h2, late, KEY)
    retired = verify([(_entry(1), GENESIS, h1), (rekey, h1, h2), (late, h2, h3)], both)
    assert retired is not None and retired.number == 3 and "retired" in retired.problem


@pytest.fixture
def lead(db: None) -> User:
    return User.objects.create_user("lead", password="a-long-unique-pass", role="team_lead")


def _three_entries(lead: User) -> None:
    audit_record(actor=lead, action="case.reassign", subject_type="case", subject_id=1)
    audit_record(
        actor=lead,
        action="settlement.approve",
        subject_type="settlement",
        subject_id=9,
        data={"waive_penalty": 12_345, "note": "困难减免"},
    )
    audit_record(actor=None, action="reveal.phone", subject_type="party", subject_id=3)


def test_recorded_entries_form_an_intact_keyed_chain(lead: User) -> None:
    _three_entries(lead)

    check = audit_verify()

    assert (check.count, check.broken, check.legacy) == (3, None, 0)
    entries = list(AuditEntry.objects.order_by("number"))
    assert [e.number for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS and entries[1].prev_hash == entries[0].hash
    assert entries[2].actor_name == "system"
    assert {e.key_id for e in entries} == {keyring().current_id}


def test_without_an_environment_key_a_private_key_file_is_made_once(
    lead: User, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    audit_record(actor=lead, action="case.reassign", subject_type="case", subject_id=1)
    key_file = tmp_path / "audit_keys"
    first = key_file.read_text()
    audit_record(actor=lead, action="case.reassign", subject_type="case", subject_id=2)

    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert key_file.read_text() == first and len(first.splitlines()) == 1
    assert audit_verify().intact


def test_the_environment_key_is_taken_in_hex_or_base64(lead: User, settings: Any) -> None:
    settings.ARREARS_AUDIT_KEY = KEY.hex()
    entry = audit_record(actor=lead, action="case.reassign", subject_type="case", subject_id=1)
    settings.ARREARS_AUDIT_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="  # KEY in base64

    assert entry.key_id == key_id_of(KEY)
    assert audit_verify().intact
    settings.ARREARS_AUDIT_KEY = "too-short"
    with pytest.raises(ImproperlyConfigured, match="at least 32 bytes"):
        audit_record(actor=lead, action="case.reassign", subject_type="case", subject_id=2)


def test_a_required_secret_without_the_audit_key_fails_loudly(lead: User, settings: Any) -> None:
    settings.REQUIRE_SECRET = True
    settings.ARREARS_AUDIT_KEY = ""

    with pytest.raises(ImproperlyConfigured, match="ARREARS_AUDIT_KEY must be set"):
        audit_record(actor=lead, action="case.reassign", subject_type="case", subject_id=1)
    with pytest.raises(CommandError, match="ARREARS_AUDIT_KEY must be set"):
        call_command("audit", "verify")
    assert not AuditEntry.objects.exists()


def test_editing_an_entry_in_the_database_is_found_by_the_command(lead: User) -> None:
    _three_entries(lead)
    # Tampering straight in the table, past every service.
    AuditEntry.objects.filter(number=2).update(data={"waive_penalty": 99_999_00})

    with pytest.raises(CommandError, match="broken at entry 2"):
        call_command("audit", "verify")


def test_deleting_the_newest_entry_is_found_too(lead: User) -> None:
    _three_entries(lead)
    AuditEntry.objects.filter(number=3).delete()

    check = audit_verify()

    assert check.count == 2 and check.broken is not None and "removed" in check.broken.problem


def test_verify_reports_an_intact_chain_as_json(lead: User, settings: Any) -> None:
    settings.ARREARS_AUDIT_KEY = KEY.hex()
    _three_entries(lead)
    out = StringIO()

    call_command("audit", "verify", "--json", "--anchor", os.devnull, stdout=out)

    reported = json.loads(out.getvalue())
    assert reported["entries"] == 3 and reported["intact"] is True
    assert reported["broken_at"] is None and reported["key_id"] == key_id_of(KEY)
    assert reported["head"] == AuditEntry.objects.get(number=3).hash


def test_rekey_with_the_key_file_signs_later_entries_with_a_new_key(
    lead: User, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    _three_entries(lead)
    old = keyring().current_id
    out = StringIO()

    call_command("audit", "rekey", stdout=out)
    later = audit_record(actor=lead, action="case.reassign", subject_type="case", subject_id=5)

    assert "Audit key rotated" in out.getvalue()
    assert later.key_id == keyring().current_id != old
    assert len((tmp_path / "audit_keys").read_text().splitlines()) == 2
    assert audit_verify().intact
    # Someone holding only the retired key cannot add to the chain any more.
    AuditEntry.objects.filter(number=later.number).delete()
    head = AuditEntry.objects.order_by("-number").first()
    assert head is not None
    forged = ChainEntry(
        later.number, later.at.isoformat(), None, "system", "case.reassign", "case", "5", {}, old
    )
    AuditEntry.objects.create(
        number=later.number, at=later.at, actor_name="system", action="case.reassign",
        subject_type="case", subject_id="5", data={}, prev_hash=head.hash, key_id=old,
        hash=entry_hash(head.hash, forged, keyring().keys[old]),
    )  # fmt: skip
    found = audit_verify().broken
    assert found is not None and found.number == later.number and "retired" in found.problem


def test_rekey_from_the_environment_needs_the_new_key_set_and_the_old_one_kept(
    lead: User, settings: Any
) -> None:
    settings.ARREARS_AUDIT_KEY = KEY.hex()
    _three_entries(lead)
    with pytest.raises(InvalidInput, match="still holds the key"):
        audit_rekey()

    settings.ARREARS_AUDIT_KEY = (b"n" * 32).hex()
    settings.ARREARS_AUDIT_OLD_KEYS = KEY.hex()
    entry = audit_rekey()

    assert entry.data == {"retired": key_id_of(KEY)} and entry.key_id == key_id_of(b"n" * 32)
    assert audit_verify().intact
    settings.ARREARS_AUDIT_OLD_KEYS = ""
    lost = audit_verify().broken
    assert lost is not None and lost.number == 1 and "not in the keyring" in lost.problem
