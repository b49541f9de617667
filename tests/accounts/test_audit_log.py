"""The audit log is hash-chained: any edit, deletion or reordering shows in `audit verify`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from arrears.accounts.models import User
from arrears.core.audit import audit_record, audit_verify
from arrears.core.audit_chain import GENESIS, ChainEntry, entry_hash, verify
from arrears.core.models import AuditEntry


def _entry(number: int, action: str = "hold.place") -> ChainEntry:
    return ChainEntry(number, "2026-07-01T10:00:00+00:00", 7, "lead", action, "case", "42", {})


def test_the_same_content_always_hashes_the_same_and_any_change_shows() -> None:
    first = entry_hash(GENESIS, _entry(1))

    assert first == entry_hash(GENESIS, _entry(1))
    assert first != entry_hash(GENESIS, _entry(1, action="hold.lift"))
    assert first != entry_hash("1" * 64, _entry(1))


def test_verify_names_the_first_entry_that_breaks_the_chain() -> None:
    one = _entry(1)
    two = _entry(2)
    three = _entry(3)
    h1 = entry_hash(GENESIS, one)
    h2 = entry_hash(h1, two)
    h3 = entry_hash(h2, three)

    assert verify([(one, GENESIS, h1), (two, h1, h2), (three, h2, h3)]) is None
    changed = verify([(one, GENESIS, h1), (_entry(2, "plan.approve"), h1, h2), (three, h2, h3)])
    assert changed is not None and changed.number == 2 and "changed" in changed.problem
    missing = verify([(one, GENESIS, h1), (three, h2, h3)])
    assert missing is not None and "entry 2 is missing" in missing.problem


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


def test_recorded_entries_form_an_intact_chain(lead: User) -> None:
    _three_entries(lead)

    count, broken = audit_verify()

    assert (count, broken) == (3, None)
    entries = list(AuditEntry.objects.order_by("number"))
    assert [e.number for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS and entries[1].prev_hash == entries[0].hash
    assert entries[2].actor_name == "system"


def test_editing_an_entry_in_the_database_is_found_by_the_command(lead: User) -> None:
    _three_entries(lead)
    # Tampering straight in the table, past every service.
    AuditEntry.objects.filter(number=2).update(data={"waive_penalty": 99_999_00})

    with pytest.raises(CommandError, match="broken at entry 2"):
        call_command("audit", "verify")


def test_deleting_the_newest_entry_is_found_too(lead: User) -> None:
    _three_entries(lead)
    AuditEntry.objects.filter(number=3).delete()

    count, broken = audit_verify()

    assert count == 2 and broken is not None and "removed" in broken.problem


def test_verify_reports_an_intact_chain_as_json(lead: User) -> None:
    _three_entries(lead)
    out = StringIO()

    call_command("audit", "verify", "--json", stdout=out)

    assert json.loads(out.getvalue()) == {
        "entries": 3,
        "intact": True,
        "broken_at": None,
        "problem": None,
    }
