"""Recording a visit: two staff or the gate refuses; times checked; evidence hashed, kept
once and never overwritten; hostile files refused; the visit is a contact on the case."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from arrears.accounts.models import Agency, User
from arrears.cases.models import Activity, WorkItem
from arrears.compliance.models import ContactRefusal
from arrears.core.errors import InvalidInput
from arrears.core.files import write_once
from arrears.core.models import AuditEntry
from arrears.field.models import ContactPointEvent, Visit, VisitEvidence
from arrears.field.visit_services import UploadedFile, colleagues_of, visit_record
from tests.field.conftest import AT, ON, Field, address_of, phone_of
from tests.field.images import png

pytestmark = pytest.mark.django_db


def visit(field: Field, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "case": field.cases["F1"],
        "party_id": field.borrower.pk,
        "by": field.agent,
        "colleague_ids": [field.colleague.pk],
        "arrived_at": AT,
        "left_at": AT + timedelta(minutes=40),
        "outcome": "met_debtor",
        "on": ON,
        "address_id": address_of(field.borrower).pk,
        "notes": "本人在家，称下周发工资后还款",
        "files": [UploadedFile("门口.png", png())],
    }
    values.update(changes)
    return visit_record(**values)


def stored_files() -> list[Path]:
    folder = Path(settings.DATA_DIR) / "field"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_visit_by_two_is_recorded_with_its_staff_and_a_sealed_contact(field: Field) -> None:
    result = visit(field)

    assert result.allowed
    saved = Visit.objects.get()
    assert [u.username for u in saved.colleagues.all()] == ["partner"]
    assert saved.by == field.agent and saved.address == address_of(field.borrower)
    activity = Activity.objects.get()
    assert (activity.channel, activity.outcome, activity.party_reached) == (
        "visit",
        "right_party",
        "borrower",
    )
    assert "agent, partner" in activity.notes and saved.activity_id == activity.pk
    assert AuditEntry.objects.filter(action="field.visit_record").count() == 1


def test_a_visit_by_one_person_is_refused_with_the_gates_reason_and_keeps_nothing(
    field: Field,
) -> None:
    before = stored_files()

    result = visit(field, colleague_ids=[])

    assert not result.allowed and result.visit is None
    assert [r.code for r in result.refusals] == ["visit_staff"]
    assert not Visit.objects.exists() and not Activity.objects.exists()
    assert ContactRefusal.objects.count() == 1, "the refusal itself is stored"
    assert stored_files() == before, "no evidence file is left without its visit"


def test_the_evidence_is_kept_with_its_hash_and_a_name_never_used_before(field: Field) -> None:
    data = png()

    visit(field)
    visit(field, arrived_at=AT + timedelta(hours=1), left_at=AT + timedelta(hours=2))

    first, second = VisitEvidence.objects.order_by("id")
    assert first.sha256 == second.sha256 == hashlib.sha256(data).hexdigest()
    assert first.path != second.path
    kept = Path(settings.DATA_DIR) / first.path
    assert kept.read_bytes() == data
    assert first.sha256 in Activity.objects.order_by("id").first().notes  # type: ignore[union-attr]
    assert not write_once(kept, b"something else"), "a kept file is never written over"
    assert kept.read_bytes() == data


def test_a_hostile_file_is_refused_naming_the_file_and_nothing_is_recorded(field: Field) -> None:
    script = UploadedFile("照片.png", b"<html><script>alert(1)</script></html>")

    with pytest.raises(InvalidInput) as refused:
        visit(field, files=[UploadedFile("ok.png", png()), script])

    assert refused.value.field == "evidence" and "照片.png" in str(refused.value)
    assert not Visit.objects.exists() and not VisitEvidence.objects.exists()
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field_name"),
    [
        ({"left_at": AT - timedelta(minutes=5)}, "left_at"),
        ({"left_at": AT}, "left_at"),
        ({"left_at": AT + timedelta(hours=13)}, "left_at"),
        (
            {"arrived_at": AT - timedelta(days=3), "left_at": AT - timedelta(days=3, hours=-1)},
            "arrived_at",
        ),
        (
            {"arrived_at": AT + timedelta(days=400), "left_at": AT + timedelta(days=400, hours=1)},
            "arrived_at",
        ),
        ({"latitude": Decimal("39.9")}, "latitude"),
        ({"outcome": "teleported"}, "outcome"),
        ({"address_id": None}, "address"),
    ],
)
def test_bad_times_and_fields_are_refused_naming_the_field(
    field: Field, changes: dict[str, Any], field_name: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        visit(field, **changes)
    assert refused.value.field == field_name
    assert not Visit.objects.exists()


def test_the_recorder_cannot_count_as_their_own_colleague(field: Field) -> None:
    with pytest.raises(InvalidInput) as refused:
        visit(field, colleague_ids=[field.agent.pk])
    assert refused.value.field == "colleagues"


def test_a_new_address_found_on_the_visit_is_added_with_its_source(field: Field) -> None:
    result = visit(field, address_id=None, new_address="北京市朝阳区建国路88号SOHO现代城")

    assert result.allowed
    added = result.visit.address
    assert (added.kind, added.source, added.status) == ("address", "visit", "unverified")
    event = ContactPointEvent.objects.get(contact_point_id=added.pk)
    assert (event.kind, event.source) == ("added", "visit")


def test_an_address_that_does_not_exist_is_invalidated_and_the_case_may_become_unreachable(
    field: Field,
) -> None:
    phone = phone_of(field.borrower)
    phone.status = "invalid"
    phone.save()

    visit(field, outcome="address_wrong")

    assert address_of(field.borrower).status == "invalid"
    event = ContactPointEvent.objects.get(contact_point_id=address_of(field.borrower).pk)
    assert (event.from_status, event.to_status, event.kind) == (
        "unverified",
        "invalid",
        "invalidated",
    )
    field.cases["F1"].refresh_from_db()
    assert field.cases["F1"].unreachable_since == ON


def test_an_address_found_invalid_is_never_visited_again(field: Field) -> None:
    point = address_of(field.borrower)
    point.status = "invalid"
    point.save()

    with pytest.raises(InvalidInput) as refused:
        visit(field)
    assert refused.value.field == "address"


def test_the_visit_does_the_days_visit_task(field: Field) -> None:
    case = field.cases["F1"]
    task = WorkItem.objects.create(
        case=case,
        loan_id=case.loan_id,
        party=field.borrower,
        planned_action_id=-1,
        type="visit",
        queue="field",
        title="上门核实",
        due_at=AT - timedelta(hours=1),
    )

    visit(field)

    task.refresh_from_db()
    assert task.status == "done"


def test_colleagues_come_from_the_same_organisation_and_are_active(field: Field) -> None:
    agency = Agency.objects.create(name="某某委外公司", code="outside")
    outside = User.objects.create_user("outside1", role="agency_collector", agency=agency)
    gone = User.objects.create_user("gone", role="field_agent", team=field.team, is_active=False)

    for colleague in (outside, gone):
        with pytest.raises(InvalidInput) as refused:
            visit(field, colleague_ids=[colleague.pk])
        assert refused.value.field == "colleagues"

    inside = User.objects.create_user("outside2", role="agency_collector", agency=agency)
    assert [u.username for u in colleagues_of(outside, [inside.pk])] == ["outside2"]
    with pytest.raises(InvalidInput):
        colleagues_of(outside, [field.agent.pk])


def test_the_timeline_shows_the_staff_and_hashes_before_long_notes(field: Field) -> None:
    visit(field, notes="很长的备注" * 200)

    notes = Activity.objects.get().notes
    assert notes.startswith("Visit staff: agent, partner · Evidence 门口.png SHA-256 ")
