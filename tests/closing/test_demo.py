"""The closing demo adds a pending write-off, a listed and a proposed blacklist entry, once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from arrears.cases.demo_closing import demo_closing
from arrears.cases.models import WriteOffProposal
from arrears.portfolio.models import BlacklistEntry, Creditor
from tests.closing.world import closing_world, cycle

pytestmark = pytest.mark.django_db


def test_the_demo_proposes_a_write_off_and_fills_the_blacklist_once(
    creditor: Creditor, tmp_path: Path
) -> None:
    closing_world(creditor, tmp_path, {"E1": {}, "E2": {}})
    cycle("--date", "2026-03-01", "--through", "2026-03-03")

    demo_closing(day=date(2026, 3, 3))
    demo_closing(day=date(2026, 3, 3))

    assert WriteOffProposal.objects.filter(status="pending").count() == 1
    assert sorted(BlacklistEntry.objects.values_list("status", flat=True)) == [
        "listed",
        "pending",
    ]
