"""The bench's regression guard: stored figures scaled by the calibration, a step named
when it is more than 20 % slower, small steps left out, the docs section kept one per day."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from arrears.cycle.bench_guard import compare, guard_report, slower, summarise
from arrears.cycle.bench_report import docs_section, docs_update
from arrears.cycle.bench_steady import guard_verdict

SRC = Path(__file__).resolve().parents[2] / "src" / "arrears" / "cycle"


def _run(calibration: float, **steps: float) -> dict[str, Any]:
    """A summarised run whose following day has ``steps`` (and their sum as the total)."""
    day = {"total": round(sum(steps.values()), 3), "steps": dict(steps)}
    return {"calibration_seconds": calibration, "following_day": day}


def test_a_step_more_than_20_percent_slower_is_named_with_both_figures() -> None:
    stored = {"sqlite/1": _run(0.5, plan=2.2, cases=1.0)}
    now = {"sqlite/1": _run(0.5, plan=3.1, cases=1.0)}

    found = slower(compare(now, stored))

    assert [c.message() for c in found] == [
        "SLOWER: sqlite following-day total 4.10 s vs 3.20 s stored (+28 %)",
        "SLOWER: sqlite following-day plan 3.10 s vs 2.20 s stored (+41 %)",
    ]


def test_a_slower_machine_scales_the_stored_figures_up_before_comparing() -> None:
    stored = {"postgresql/2": _run(0.5, plan=2.2)}
    # The calibration took twice as long: the stored 2.2 s stands for 4.4 s today.
    now = {"postgresql/2": _run(1.0, plan=3.1)}

    assert slower(compare(now, stored)) == []
    # The same figures on an unchanged machine are a regression.
    assert len(slower(compare({"postgresql/2": _run(0.5, plan=3.1)}, stored))) == 2


def test_a_faster_machine_scales_them_down() -> None:
    stored = {"postgresql/1": _run(1.0, plan=2.0)}
    now = {"postgresql/1": _run(0.5, plan=1.3)}  # 1.0 s expected today: +30 %

    [plan] = [c for c in slower(compare(now, stored)) if c.step == "plan"]

    assert plan.message() == (
        "SLOWER: postgresql following-day plan 1.30 s vs 1.00 s stored (+30 %)"
    )


def test_twenty_percent_is_tolerated_and_more_is_not() -> None:
    stored = {"sqlite/1": _run(1.0, plan=10.0)}

    assert slower(compare({"sqlite/1": _run(1.0, plan=12.0)}, stored)) == []
    assert [c.step for c in slower(compare({"sqlite/1": _run(1.0, plan=12.1)}, stored))] == [
        "total",
        "plan",
    ]


def test_steps_under_the_floor_are_left_out_unless_they_grew_past_it() -> None:
    stored = {"sqlite/1": _run(1.0, big=10.0, tiny=0.05, grew=0.05)}
    now = {"sqlite/1": _run(1.0, big=10.0, tiny=0.15, grew=0.9)}

    comparisons = compare(now, stored)

    assert {c.step: c.status for c in comparisons} == {
        "total": "ok",
        "big": "ok",
        "tiny": "small",
        "grew": "slower",
    }
    lines = guard_report(comparisons, {"sqlite/1": 1.0})
    assert "guard: 1 steps under 0.2 s now and stored were not compared" in lines
    assert any(line.startswith("SLOWER: sqlite following-day grew 0.90 s") for line in lines)


def test_runs_and_steps_missing_from_the_baseline_are_not_failures() -> None:
    stored = {"sqlite/1": _run(1.0, plan=1.0)}
    now = {"sqlite/1": _run(1.0, plan=1.0, brand_new=5.0), "postgresql/2": _run(1.0, plan=9.0)}

    comparisons = compare(now, stored)

    # The new step's 5 s are in the day's total, which the guard does name.
    assert [c.step for c in slower(comparisons)] == ["total"]
    assert {c.step for c in comparisons if c.status == "new"} == {"brand_new"}
    assert all(c.run == "sqlite/1" for c in comparisons)


def test_summarise_keeps_the_first_day_and_averages_the_following_days() -> None:
    days = [
        {"seconds": 9.0, "steps": {"post_payments": 6.0, "plan": 1.0}},
        {"seconds": 3.0, "steps": {"post_payments": 0.5, "plan": 0.6}},
        {"seconds": 2.0, "steps": {"post_payments": 0.3, "plan": 0.4}},
    ]

    summary = summarise(days, 0.7)

    assert summary == {
        "calibration_seconds": 0.7,
        "first_day": {"total": 9.0, "steps": {"post_payments": 6.0, "plan": 1.0}},
        "following_day": {"total": 2.5, "steps": {"post_payments": 0.4, "plan": 0.5}},
    }


def test_saving_the_same_day_again_replaces_its_section_and_keeps_the_others() -> None:
    record = {
        "machine": "Test CPU, 2 CPUs, 8.0 GiB",
        "date": "2026-12-07",
        "commit": "abc1234",
        "loans": 1000,
        "runs": {"sqlite/1": {**_run(0.5, plan=2.0), "first_day": {"total": 3.0, "steps": {}}}},
    }
    text = "# Benchmarks\n\nHow to run.\n"

    once = docs_update(text, "1000 2026-12-07", docs_section(record, heading="first"))
    twice = docs_update(once, "1000 2026-12-07", docs_section(record, heading="second"))
    other = docs_update(twice, "1000 2026-12-08", docs_section(record, heading="third"))

    assert "### first" not in twice and twice.count("### second") == 1
    assert other.startswith("# Benchmarks\n\nHow to run.\n")
    assert other.index("### second") < other.index("### third")
    assert "| plan |  | 2.00 |" in other  # no first-day figure for plan: an empty cell
    assert "| µs per loan | 3000.0 | 2000.0 |" in other


def test_the_guard_and_its_report_never_import_django() -> None:
    for name in ("bench_guard.py", "bench_report.py", "bench_steady.py"):
        tree = ast.parse((SRC / name).read_text(encoding="utf-8"))
        imported: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.append(node.module)
        assert not [module for module in imported if module.startswith("django")], name


def test_the_exit_status_says_slower_or_nothing_stored_unless_told_not_to_fail() -> None:
    stored = {
        "date": "2026-12-07",
        "label": "",
        "commit": "abc",
        "runs": {"sqlite/1": _run(1.0, plan=2.0)},
    }
    slow = {"sqlite/1": _run(1.0, plan=3.0)}

    lines, status = guard_verdict(slow, stored, no_guard=False)
    assert status == 1
    assert "SLOWER: sqlite following-day plan 3.00 s vs 2.00 s stored (+50 %)" in lines
    assert guard_verdict(slow, stored, no_guard=True)[1] == 0
    assert guard_verdict({"sqlite/1": _run(1.0, plan=2.1)}, stored, no_guard=False)[1] == 0
    nothing = guard_verdict(slow, None, no_guard=False)
    assert nothing == (["guard: nothing stored for this many loans: nothing compared"], 3)
    assert guard_verdict(slow, None, no_guard=True)[1] == 0
