"""The queue's search finds a number stored in E.164 whatever form is typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from arrears.compliance.models import CompliancePolicy
from arrears.portfolio.models import ContactPoint, Creditor
from arrears.workbench.selectors.queue import queue_for
from tests.factories import loan_row
from tests.workbench.test_queue import ON, assign, build_cases, people

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed",
    ["13700001111", "137 0000 1111", "+86 137-0000-1111", "+8613700001111", "0086 137 0000 1111"],
)
def test_any_form_of_a_chinese_number_finds_its_case(
    creditor: Creditor, tmp_path: Path, typed: str
) -> None:
    cases = build_cases(
        creditor,
        tmp_path,
        [loan_row("FIND-ME", borrower_phone="137 0000 1111"), loan_row("NOT-ME")],
    )
    team, me, _other = people(creditor)
    for case in cases.values():
        assign(case, team, me)
    assert ContactPoint.objects.filter(value="+8613700001111").exists()

    assert [row.loan_id for row in queue_for(user=me, on=ON, search=typed)] == ["FIND-ME"]


@pytest.mark.parametrize("typed", ["(202) 555-0143", "+1 202 555 0143", "+12025550143"])
def test_a_us_debtors_number_is_found_as_americans_write_it(
    creditor: Creditor, tmp_path: Path, typed: str
) -> None:
    CompliancePolicy.objects.create(creditor=creditor, pack="us-regf")
    cases = build_cases(
        creditor,
        tmp_path,
        [loan_row("US-1", borrower_phone="(202) 555-0143"), loan_row("OTHER")],
    )
    team, me, _other = people(creditor)
    for case in cases.values():
        assign(case, team, me)

    assert [row.loan_id for row in queue_for(user=me, on=ON, search=typed)] == ["US-1"]
