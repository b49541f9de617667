"""Skip tracing: new phones, addresses, employers and contact persons with their source;
verifying and invalidating with history; an invalid point is never contacted again; a case
whose borrower cannot be reached joins the skip-trace queue and leaves it when found."""

from __future__ import annotations

from datetime import timedelta

import pytest

from arrears.accounts.models import User
from arrears.cases.services import activity_record
from arrears.core.errors import InvalidInput
from arrears.core.models import AuditEntry
from arrears.field.contact_services import (
    contact_person_add,
    contact_point_add,
    contact_point_judge,
    employer_record,
)
from arrears.field.models import ContactPointEvent, EmployerChange
from arrears.field.reachability import unreachable_refresh
from arrears.outreach.composing import _addresses
from arrears.portfolio.models import ContactPoint, LoanParty, Party
from arrears.workbench.selectors.field import contact_histories, skip_trace_queue
from tests.field.conftest import AT, ON, Field, address_of, phone_of

pytestmark = pytest.mark.django_db


def invalidate(field: Field, point: ContactPoint, reason: str = "空号") -> ContactPoint:
    return contact_point_judge(
        case=field.cases["F1"], point_id=point.pk, valid=False, reason=reason, by=field.agent, on=ON
    )


def test_a_new_phone_is_stored_normalised_unverified_with_its_source_and_history(
    field: Field,
) -> None:
    point = contact_point_add(
        case=field.cases["F1"],
        party_id=field.borrower.pk,
        kind="phone",
        value="139 1234 5678",
        source="phone_book",
        by=field.agent,
        on=ON,
    )

    assert (point.value, point.status, point.source) == (
        "+8613912345678",
        "unverified",
        "phone_book",
    )
    event = ContactPointEvent.objects.get(contact_point_id=point.pk)
    assert (event.kind, event.to_status, event.source, event.by) == (
        "added",
        "unverified",
        "phone_book",
        field.agent,
    )
    assert AuditEntry.objects.filter(action="field.contact_point_add").exists()


@pytest.mark.parametrize(
    ("kind", "value", "field_name"),
    [
        ("phone", "not a number", "value"),
        ("email", "someone@", "value"),
        ("address", "北京", "value"),
        ("fax", "010-12345678", "kind"),
    ],
)
def test_a_value_that_is_not_of_its_kind_is_refused_naming_the_field(
    field: Field, kind: str, value: str, field_name: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        contact_point_add(
            case=field.cases["F1"],
            party_id=field.borrower.pk,
            kind=kind,
            value=value,
            source="public",
            by=field.agent,
            on=ON,
        )
    assert refused.value.field == field_name


def test_a_number_on_file_already_is_refused_in_any_form(field: Field) -> None:
    on_file = phone_of(field.borrower).value  # +86…
    with pytest.raises(InvalidInput) as refused:
        contact_point_add(
            case=field.cases["F1"],
            party_id=field.borrower.pk,
            kind="phone",
            value=on_file.removeprefix("+86"),
            source="debtor",
            by=field.agent,
            on=ON,
        )
    assert "on file already" in str(refused.value)


def test_a_party_of_another_case_is_refused(field: Field) -> None:
    with pytest.raises(InvalidInput) as refused:
        contact_point_add(
            case=field.cases["F1"],
            party_id=field.other.pk,
            kind="phone",
            value="13912345678",
            source="public",
            by=field.agent,
            on=ON,
        )
    assert refused.value.field == "party"


def test_verifying_and_invalidating_keep_the_history_with_reasons(field: Field) -> None:
    point = phone_of(field.borrower)
    contact_point_judge(
        case=field.cases["F1"],
        point_id=point.pk,
        valid=True,
        reason="本人接听",
        by=field.agent,
        on=ON,
    )
    invalidate(field, point, "停机")

    steps = list(
        ContactPointEvent.objects.filter(contact_point_id=point.pk).values_list(
            "kind", "from_status", "to_status", "reason"
        )
    )
    assert steps == [
        ("verified", "unverified", "valid", "本人接听"),
        ("invalidated", "valid", "invalid", "停机"),
    ]
    history = {h.id: h for h in contact_histories(case=field.cases["F1"], user=field.collector)}
    assert [e.reason for e in history[point.pk].entries] == ["本人接听", "停机"]
    assert "*" in history[point.pk].masked, "the number is masked for a collector"


def test_a_reason_is_required_to_judge_a_point(field: Field) -> None:
    with pytest.raises(InvalidInput) as refused:
        invalidate(field, phone_of(field.borrower), "  ")
    assert refused.value.field == "reason"


def test_an_invalid_number_is_never_dialled_nor_messaged_again(field: Field) -> None:
    point = invalidate(field, phone_of(field.borrower))

    with pytest.raises(InvalidInput) as refused:
        activity_record(
            case=field.cases["F1"],
            party=field.borrower,
            channel="call",
            party_reached="borrower",
            outcome="right_party",
            by=field.agent,
            at=AT,
            on=ON,
            contact_point=point,
        )
    assert refused.value.field == "contact_point"
    assert (field.borrower.pk, "phone") not in _addresses({field.borrower.pk})


def test_a_case_whose_borrower_has_no_valid_phone_or_address_is_unreachable_until_one_is_found(
    field: Field,
) -> None:
    invalidate(field, phone_of(field.borrower))
    case = field.cases["F1"]
    case.refresh_from_db()
    assert case.unreachable_since is None, "the address may still reach them"

    invalidate(field, address_of(field.borrower), "查无此人")
    case.refresh_from_db()
    assert case.unreachable_since == ON
    assert [c.loan_id for c in skip_trace_queue(user=field.agent)] == ["F1"]

    contact_point_add(
        case=case,
        party_id=field.borrower.pk,
        kind="phone",
        value="13987654321",
        source="third_party",
        by=field.agent,
        on=ON + timedelta(days=2),
    )
    case.refresh_from_db()
    assert case.unreachable_since is None and skip_trace_queue(user=field.agent) == []


def test_the_unreachable_step_marks_and_clears_a_whole_range_of_loans(field: Field) -> None:
    ContactPoint.objects.filter(party__in=[field.borrower, field.other]).update(status="invalid")

    assert unreachable_refresh(first=0, last=10**12, on=ON) == 2
    assert unreachable_refresh(first=0, last=10**12, on=ON) == 0, "a second run changes nothing"

    ContactPoint.objects.filter(party=field.other, kind="address").update(status="valid")
    assert unreachable_refresh(first=0, last=10**12, on=ON) == 1
    assert [c.loan_id for c in skip_trace_queue(user=field.agent)] == ["F1"]


def test_the_skip_trace_queue_is_scoped(field: Field) -> None:
    ContactPoint.objects.filter(party=field.borrower).update(status="invalid")
    unreachable_refresh(first=0, last=10**12, on=ON)
    outsider = User.objects.create_user("outsider", role="collector")

    assert skip_trace_queue(user=outsider) == []


def test_a_new_employer_replaces_the_old_and_the_change_is_kept(field: Field) -> None:
    employer_record(
        case=field.cases["F1"],
        party_id=field.borrower.pk,
        employer="甲公司",
        source="public",
        by=field.agent,
    )
    employer_record(
        case=field.cases["F1"],
        party_id=field.borrower.pk,
        employer="乙公司",
        source="debtor",
        by=field.agent,
    )

    assert Party.objects.get(pk=field.borrower.pk).employer == "乙公司"
    assert list(EmployerChange.objects.values_list("previous", "employer", "source")) == [
        ("", "甲公司", "public"),
        ("甲公司", "乙公司", "debtor"),
    ]


def test_a_new_contact_person_joins_the_loan_with_their_phone(field: Field) -> None:
    person = contact_person_add(
        case=field.cases["F1"],
        name="王五",
        phone="+86 137 0000 1111",
        source="phone_book",
        by=field.agent,
    )

    role = LoanParty.objects.get(party=person).role
    phone = ContactPoint.objects.get(party=person)
    assert (role, phone.value, phone.source) == ("contact_person", "+8613700001111", "phone_book")
    assert ContactPointEvent.objects.filter(contact_point_id=phone.pk, kind="added").exists()
