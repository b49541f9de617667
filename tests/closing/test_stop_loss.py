"""Stop-loss: exactly the open cases whose score × balance is below the cost to collect are
listed, on the CLI and the page; keeping one records the reason for the week."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from arrears.core.models import AuditEntry
from arrears.insights.models import CaseScore
from arrears.insights.stop_loss import cost_to_collect, stop_loss_cases
from arrears.insights.stop_loss_services import stop_loss_keep
from arrears.portfolio.models import Creditor, LoanPosition
from tests.closing.world import Closing, closing_world, cycle

pytestmark = pytest.mark.django_db

WEEK = date(2026, 3, 9)


def _score(world: Closing, loan_id: str, expected: int) -> None:
    """Give the case a score whose expected recovery is ``expected`` fen."""
    case = world.case(loan_id)
    p = LoanPosition.objects.get(loan_id=case.loan_id)
    balance = p.principal_outstanding + p.overdue_interest + p.overdue_fees + p.overdue_penalty
    CaseScore.objects.create(
        case=case,
        loan_id=case.loan_id,
        scored_on=WEEK,
        value=expected / balance,
        grade="E",
        reasons=[],
        model_version=1,
    )


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path) -> Closing:
    world = closing_world(creditor, tmp_path, {"K1": {}, "K2": {}, "K3": {}, "K4": {}})
    cycle("--date", "2026-03-01", "--through", "2026-03-10")
    cost = cost_to_collect()
    _score(world, "K1", cost - 1)  # just below: listed
    _score(world, "K2", cost + 1)  # just above: not listed
    _score(world, "K3", 100)  # far below: listed first
    return world  # K4 has no score: not listed


def test_exactly_the_cases_expected_to_bring_less_than_they_cost_are_listed(
    world: Closing,
) -> None:
    rows = stop_loss_cases(week=WEEK)

    assert [row.loan_id for row in rows] == ["K3", "K1"]
    assert all(row.expected_recovery < row.cost == cost_to_collect() for row in rows)
    out = StringIO()
    call_command("insights", "stop-loss", "--week", "2026-03-11", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["week"] == "2026-03-09"
    assert [case["loan"] for case in report["cases"]] == ["K3", "K1"]
    assert report["cost_to_collect"] == "82.40"  # 8 calls, 8 SMS, a letter, a visit


def test_keeping_a_case_is_recorded_with_the_reason_and_shown_on_the_page(
    world: Closing,
) -> None:
    case = world.case("K1")
    stop_loss_keep(case=case, by=world.manager, week=WEEK, reason="promise to pay on Friday")

    entry = AuditEntry.objects.get(action="stop_loss.keep")
    assert entry.data == {"week": "2026-03-09", "reason": "promise to pay on Friday"}
    kept = {row.loan_id: row.kept_reason for row in stop_loss_cases(week=WEEK)}
    assert kept == {"K3": "", "K1": "promise to pay on Friday"}

    client = Client()
    client.force_login(world.manager)
    page = client.get("/stop-loss/", {"week": "2026-03-09"})
    assert page.status_code == 200
    text = page.content.decode()
    # Rows by their case id: a bare "K2" can turn up inside the page's random CSRF token.
    shown = {
        code
        for code in ("K1", "K2", "K3")
        if f'data-testid="stop-loss-{world.case(code).pk}"' in text
    }
    assert shown == {"K1", "K3"}
    assert "promise to pay on Friday" in text
    client.force_login(world.collector)
    assert client.get("/stop-loss/").status_code == 403
