"""The playbook can act on "unreachable": a step with ``when: unreachable`` is planned, in
the cycle's set-based plan step, only for cases whose borrower cannot be reached."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from arrears.cases.models import CollectionCase
from arrears.core.errors import InvalidInput
from arrears.portfolio.models import ContactPoint, Creditor
from arrears.portfolio.services import tape_ingest
from arrears.strategy.models import PlannedAction
from arrears.strategy.services import playbook_import
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db

PLAYBOOK = """
name: find-them
title: 失联查找
priority: 1
segment:
  creditors: [测试小贷]
stages:
- name: early
  title: 早期
  from_dpd: 1
  actions:
  - name: call
    title: 每日电话
    type: call
    target: borrower
    at_dpd: 1
    every: 1
  - name: trace
    title: 失联查找
    type: review
    target: borrower
    at_dpd: 1
    every: 1
    when: unreachable
    queue: skip_trace
"""


def cycle(day: str) -> None:
    call_command("cycle", "--date", day, "--json", stdout=StringIO())


def test_a_step_conditioned_on_unreachable_is_planned_only_for_unreachable_cases(
    creditor: Creditor, tmp_path: Path
) -> None:
    playbook_import(text=PLAYBOOK)
    rows = [loan_row("U1", borrower_name="失联"), loan_row("R1", borrower_name="在联")]
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", rows))
    cycle("2026-03-01")
    assert not PlannedAction.objects.filter(action="early/trace").exists()

    ContactPoint.objects.filter(party__name="失联").update(status="invalid")
    CollectionCase.objects.filter(loan__loan_id="U1").update(unreachable_since="2026-03-01")
    cycle("2026-03-02")

    traced = PlannedAction.objects.filter(action="early/trace", business_date="2026-03-02")
    assert [a.loan.loan_id for a in traced] == ["U1"]
    assert (
        PlannedAction.objects.filter(action="early/call", business_date="2026-03-02").count() == 2
    )


def test_an_unknown_condition_is_refused_when_the_playbook_is_published() -> None:
    with pytest.raises(InvalidInput) as refused:
        playbook_import(text=PLAYBOOK.replace("when: unreachable", "when: vanished"))
    assert "vanished" in str(refused.value)
