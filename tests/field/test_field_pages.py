"""The field pages: capability and scope checked, a visit recorded through the form with a
photo, the report and the evidence file, skip tracing from the case, the route by district
and the skip-trace queue."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arrears.accounts.models import User
from arrears.cases.models import WorkItem
from arrears.field.models import Visit, VisitEvidence
from arrears.field.reachability import unreachable_refresh
from arrears.portfolio.models import ContactPoint
from tests.field.conftest import AT, ON, Field, address_of, phone_of
from tests.field.images import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(field: Field, client: Client) -> Client:
    client.force_login(field.agent)
    return client


def _form(field: Field, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "party": field.borrower.pk,
        "address": address_of(field.borrower).pk,
        "colleagues": [field.colleague.pk],
        "arrived_at": "2026-03-10T10:00",
        "left_at": "2026-03-10T10:40",
        "outcome": "met_debtor",
        "notes": "见到本人",
        "evidence": SimpleUploadedFile("door.png", png(), content_type="image/png"),
    }
    values.update(changes)
    return values


def _on_business_day() -> Any:
    return mock.patch("arrears.workbench.views.field._today", return_value=ON)


def test_a_field_agent_records_a_visit_with_a_photo_and_sees_it_on_the_case(
    field: Field, agent: Client
) -> None:
    case = field.cases["F1"]
    with _on_business_day():
        response = agent.post(f"/cases/{case.pk}/visits/new/", _form(field))

    assert response.status_code == 302, response.content.decode()[:2000]
    evidence = VisitEvidence.objects.get()
    page = agent.get(f"/cases/{case.pk}/").content.decode()
    assert evidence.sha256 in page and "Visit report" in page
    report = agent.get(f"/visits/{Visit.objects.get().pk}/report/").content.decode()
    assert evidence.sha256 in report and "@media print" in report and "agent, partner" in report


def test_one_person_alone_sees_the_gates_refusal(field: Field, agent: Client) -> None:
    with _on_business_day():
        response = agent.post(
            f"/cases/{field.cases['F1'].pk}/visits/new/", _form(field, colleagues=[])
        )

    assert response.status_code == 400
    assert "a visit needs at least 2 staff" in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"left_at": "2026-03-10T09:00"}, "the time out must be after the time in"),
        (
            {"evidence": SimpleUploadedFile("x.png", b"<script>alert(1)</script>", "image/png")},
            "is not a photo",
        ),
        ({"arrived_at": "not a time"}, "Enter a valid date/time."),
    ],
)
def test_bad_input_is_shown_on_its_field_and_nothing_is_recorded(
    field: Field, agent: Client, changes: dict[str, object], message: str
) -> None:
    with _on_business_day():
        response = agent.post(f"/cases/{field.cases['F1'].pk}/visits/new/", _form(field, **changes))

    assert response.status_code == 400 and message in response.content.decode()
    assert not Visit.objects.exists()


def test_a_collector_may_not_record_a_visit(field: Field, client: Client) -> None:
    client.force_login(field.collector)
    response = client.get(f"/cases/{field.cases['F1'].pk}/visits/new/")
    assert response.status_code == 403 and "record a field visit" in response.content.decode()


def test_a_case_out_of_scope_is_not_found(field: Field, client: Client) -> None:
    outsider = User.objects.create_user("outsider", role="field_agent")
    client.force_login(outsider)
    assert client.get(f"/cases/{field.cases['F1'].pk}/visits/new/").status_code == 404
    assert client.get(f"/cases/{field.cases['F1'].pk}/skip-trace/").status_code == 404


def test_the_evidence_file_is_served_with_its_type_and_nosniff_only_in_scope(
    field: Field, agent: Client, client: Client
) -> None:
    with _on_business_day():
        agent.post(f"/cases/{field.cases['F1'].pk}/visits/new/", _form(field))
    evidence = VisitEvidence.objects.get()

    response = agent.get(f"/visit-evidence/{evidence.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png()  # type: ignore[attr-defined]

    outsider = User.objects.create_user("outsider2", role="field_agent")
    client.force_login(outsider)
    assert client.get(f"/visit-evidence/{evidence.pk}/").status_code == 404
    assert client.get(f"/visits/{evidence.visit_id}/report/").status_code == 404


def test_the_report_masks_the_address_for_a_collector(
    field: Field, agent: Client, client: Client
) -> None:
    with _on_business_day():
        agent.post(f"/cases/{field.cases['F1'].pk}/visits/new/", _form(field))
    case = field.cases["F1"]
    case.assignee = field.collector
    case.save(update_fields=["assignee"])
    client.force_login(field.collector)

    report = client.get(f"/visits/{Visit.objects.get().pk}/report/").content.decode()

    assert "北京市海淀区****" in report and "中关村大街" not in report


def test_skip_tracing_from_the_case_adds_a_number_and_invalidates_one_with_history(
    field: Field, agent: Client
) -> None:
    case = field.cases["F1"]
    first_phone = phone_of(field.borrower)
    with _on_business_day():
        added = agent.post(
            f"/cases/{case.pk}/skip-trace/points/",
            {
                "party": field.borrower.pk,
                "kind": "phone",
                "value": "13912345678",
                "source": "public",
            },
        )
        judged = agent.post(
            f"/cases/{case.pk}/skip-trace/judge/",
            {"contact_point": first_phone.pk, "valid": "0", "reason": "空号"},
        )
        refused = agent.post(
            f"/cases/{case.pk}/skip-trace/points/",
            {"party": field.borrower.pk, "kind": "phone", "value": "hello", "source": "public"},
        )

    assert added.status_code == judged.status_code == 302
    assert refused.status_code == 400 and "this is not a phone number" in refused.content.decode()
    page = agent.get(f"/cases/{case.pk}/skip-trace/").content.decode()
    assert "空号" in page and "139****5678" in page
    assert ContactPoint.objects.filter(party=field.borrower, kind="phone").count() == 2


def test_the_route_lists_todays_visits_by_district(field: Field, agent: Client) -> None:
    for loan_id, party, pk in (("F2", field.other, 1), ("F1", field.borrower, 2)):
        case = field.cases[loan_id]
        WorkItem.objects.create(
            case=case,
            loan_id=case.loan_id,
            party=party,
            planned_action_id=pk,
            type="visit",
            queue="field",
            title="上门",
            due_at=timezone.now() - timedelta(hours=pk),
        )
    # The other borrower's Shanghai address was found invalid; the one left has no district.
    ContactPoint.objects.filter(party=field.other, kind="address").update(status="invalid")
    ContactPoint.objects.create(party=field.other, kind="address", value="nowhere in particular")

    page = agent.get("/field/route/").content.decode()

    assert page.index("北京市海淀区") < page.index("F2"), (
        "the known district first, the unknown last"
    )


def test_the_skip_trace_queue_lists_unreachable_cases(field: Field, agent: Client) -> None:
    ContactPoint.objects.filter(party=field.borrower).update(status="invalid")
    with _on_business_day():
        agent.post(
            f"/cases/{field.cases['F1'].pk}/skip-trace/judge/",
            {"contact_point": address_of(field.borrower).pk, "valid": "0", "reason": "搬走"},
        )

    page = agent.get("/skip-trace/").content.decode()

    # Loan ids as whole words: a random CSRF token in the page may hold "F2" by chance.
    loans = set(re.findall(r"(?<![A-Za-z0-9])F[12](?![A-Za-z0-9])", page))
    assert loans == {"F1"} and str(ON) in page


def test_at_is_a_past_business_day_here(field: Field) -> None:
    assert AT.date() == ON


def _visit_tasks(field: Field, count: int, start: int) -> None:
    case = field.cases["F1"]
    WorkItem.objects.bulk_create(
        WorkItem(
            case=case,
            loan_id=case.loan_id,
            party=field.borrower,
            planned_action_id=start + n,
            type="visit",
            queue="field",
            title="上门",
            due_at=timezone.now() - timedelta(minutes=n + 1),
        )
        for n in range(count)
    )


def test_the_route_and_the_queues_read_a_fixed_number_of_queries(
    field: Field, agent: Client
) -> None:
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert agent.get(url).status_code == 200
        return len(captured.captured_queries)

    _visit_tasks(field, 1, 100)
    ContactPoint.objects.filter(party=field.borrower).update(status="invalid")
    with _on_business_day():
        agent.post(
            f"/cases/{field.cases['F1'].pk}/skip-trace/judge/",
            {"contact_point": phone_of(field.borrower).pk, "valid": "0", "reason": "空号"},
        )
    few = {
        url: count(url)
        for url in ("/field/route/", "/skip-trace/", f"/cases/{field.cases['F1'].pk}/skip-trace/")
    }
    _visit_tasks(field, 20, 200)
    ContactPoint.objects.filter(party=field.other).update(status="invalid")
    for n in range(5):
        ContactPoint.objects.create(party=field.borrower, kind="email", value=f"z{n}@example.com")
    unreachable_refresh(first=0, last=10**12, on=ON)
    many = {url: count(url) for url in few}

    assert many == few
