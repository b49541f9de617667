"""The demo's field work: a two-person visit with a photo and a skip-trace history."""

from __future__ import annotations

from pathlib import Path

import pytest

from arrears.field.demo import demo_field_work
from arrears.field.models import ContactPointEvent, EmployerChange, Visit, VisitEvidence
from tests.factories import loan_row
from tests.field.conftest import ON, Field
from tests.workbench.test_queue import build_cases

pytestmark = pytest.mark.django_db


def test_the_demo_records_visits_and_a_skip_trace_through_the_services(field: Field) -> None:
    field.agent.username = "fieldagent"
    field.agent.save(update_fields=["username"])

    made = demo_field_work(day=ON)

    assert made == {"visits": 2, "skip_traces": 0}, "two cases: both visited, none left to trace"
    assert Visit.objects.count() == VisitEvidence.objects.count() == 2
    assert ContactPointEvent.objects.filter(kind="invalidated").count() == 1  # moved away


def test_a_third_case_gets_a_skip_trace_history(field: Field, tmp_path: Path) -> None:
    field.agent.username = "fieldagent"
    field.agent.save(update_fields=["username"])
    extra = build_cases(field.team.creditor, tmp_path, [loan_row("F3", borrower_name="王五")])
    case = extra["F3"]
    case.team, case.assignee = field.team, field.agent
    case.save(update_fields=["team", "assignee"])

    made = demo_field_work(day=ON)

    assert made["skip_traces"] == 1
    assert EmployerChange.objects.count() == 1
    assert ContactPointEvent.objects.filter(kind="added", source="third_party").exists()
