"""The steady bench's database side: a book built once and its days closed later from what
the build wrote down, and the calibration workload. Times are never asserted; what the
figures say happened is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arrears.cycle.bench import calibrate, snapshot_build, snapshot_days
from arrears.cycle.choices import STEPS
from arrears.portfolio.models import Payment

pytestmark = pytest.mark.django_db


def test_days_closed_from_a_snapshot_post_the_later_payments_and_time_every_step(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state.json"
    snapshot_build(loans=300, first_day="2026-06-30", days=2, seed=11, state=state)
    saved = json.loads(state.read_text(encoding="utf-8"))
    later = {day: len(rows) for day, rows in saved["later_payments"].items()}
    before = Payment.objects.count()

    figures = snapshot_days(state=state, workers=1)

    assert [day["date"] for day in figures["days"]] == ["2026-06-30", "2026-07-01", "2026-07-02"]
    assert [day["payments_posted"] for day in figures["days"]] == [
        0,
        later.get("2026-07-01", 0),
        later.get("2026-07-02", 0),
    ]
    assert Payment.objects.count() == before + sum(later.values())
    assert figures["days"][0]["overdue"] > 0
    assert figures["days"][0]["cases_opened"] == figures["days"][0]["overdue"]
    for day in figures["days"]:
        assert list(day["steps"]) == list(STEPS)
        # 300 loans are one partition, whose seconds are its steps'.
        [partition] = day["partition_seconds"]
        assert abs(partition - sum(day["steps"].values())) < 0.05
    assert figures["calibration"]["rows"] > 0 and len(figures["calibration"]["tries"]) == 3


def test_the_calibration_does_the_same_work_on_every_engine() -> None:
    rows = 5000
    values = [(i * 7919) % 100003 for i in range(1, rows + 1)]
    expected = sum(values) + sum(v for i, v in enumerate(values, start=1) if i % 1009)

    timed = calibrate(rows=rows, repeats=2)

    assert timed["checksum"] == expected
    assert timed["seconds"] == min(timed["tries"])
    assert len(timed["tries"]) == 2
