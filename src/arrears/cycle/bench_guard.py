"""The regression guard of ``bench/steady`` (pure: no Django, no database).

A run's figures are summarised per engine and worker count ("sqlite/1", "postgresql/2") and
per kind of day: the first day, and the following days averaged. The stored baseline
(``bench/baseline.json``) holds the same summary with the calibration workload's seconds
timed in the same run; a stored figure is scaled by ``calibration now / calibration stored``
before it is compared, so a slower or busier machine is not taken for slower code. A step
more than ``threshold`` slower than its scaled stored figure is named; steps under
``floor_seconds`` on both sides are left out (timer noise and a busy neighbour dominate
them), and said so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

THRESHOLD = 0.20
FLOOR_SECONDS = 0.2
FIRST, FOLLOWING = "first_day", "following_day"
KIND_LABEL = {FIRST: "first-day", FOLLOWING: "following-day"}
TOTAL = "total"


def run_key(engine: str, workers: int) -> str:
    """The key of one engine and worker count in the figures and the baseline."""
    return f"{engine}/{workers}"


def run_label(key: str) -> str:
    """How a run is named in messages: "sqlite", "postgresql 2 workers"."""
    engine, workers = key.split("/")
    return engine if workers == "1" else f"{engine} {workers} workers"


def summarise(days: Sequence[Mapping[str, Any]], calibration_seconds: float) -> dict[str, Any]:
    """A run's days (``close_days`` figures, first day first) as the guard compares them:
    each step's seconds and the day's wall-clock total, the following days averaged."""

    def kind(of: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        names = [name for name in of[0]["steps"]] if of else []
        return {
            TOTAL: round(fmean(day["seconds"] for day in of), 3),
            "steps": {
                name: round(fmean(day["steps"].get(name, 0.0) for day in of), 3) for name in names
            },
        }

    summary: dict[str, Any] = {"calibration_seconds": calibration_seconds, FIRST: kind(days[:1])}
    if len(days) > 1:
        summary[FOLLOWING] = kind(list(days[1:]))
    return summary


@dataclass(frozen=True)
class Comparison:
    """One step (or a day's total) of one run and kind of day, now against stored."""

    run: str
    kind: str
    step: str
    now: float
    stored: float  # scaled by the calibration ratio
    stored_raw: float
    status: str  # "slower", "ok", "small" (under the floor), "new" (nothing stored)

    @property
    def change(self) -> float:
        """Now against the scaled stored figure, as a fraction (+0.41 is 41 % slower)."""
        return self.now / self.stored - 1 if self.stored > 0 else 0.0

    def message(self) -> str:
        """ "SLOWER: sqlite following-day plan 3.1 s vs 2.2 s stored (+41 %)"."""
        what = "total" if self.step == TOTAL else self.step
        return (
            f"SLOWER: {run_label(self.run)} {KIND_LABEL[self.kind]} {what} "
            f"{self.now:.2f} s vs {self.stored:.2f} s stored ({self.change * 100:+.0f} %)"
        )


def scale(current_calibration: float, stored_calibration: float) -> float:
    """The factor stored figures are multiplied by: > 1 when the machine is slower now."""
    if stored_calibration <= 0 or current_calibration <= 0:
        return 1.0
    return current_calibration / stored_calibration


def compare(
    current: Mapping[str, Mapping[str, Any]],
    stored: Mapping[str, Mapping[str, Any]],
    *,
    threshold: float = THRESHOLD,
    floor_seconds: float = FLOOR_SECONDS,
) -> list[Comparison]:
    """Every step and total of every run and kind of day present in both ``current`` and
    ``stored`` (``summarise`` outputs keyed by ``run_key``), in run, kind, step order."""
    found = []
    for run, now_run in current.items():
        was_run = stored.get(run)
        if was_run is None:
            continue
        factor = scale(now_run["calibration_seconds"], was_run["calibration_seconds"])
        for kind in (FIRST, FOLLOWING):
            if kind not in now_run or kind not in was_run:
                continue
            now_kind, was_kind = now_run[kind], was_run[kind]
            pairs = [(TOTAL, now_kind[TOTAL], was_kind.get(TOTAL))]
            pairs += [(n, s, was_kind["steps"].get(n)) for n, s in now_kind["steps"].items()]
            for step, now, was in pairs:
                found.append(_judge(run, kind, step, now, was, factor, threshold, floor_seconds))
    return found


def _judge(
    run: str,
    kind: str,
    step: str,
    now: float,
    was: float | None,
    factor: float,
    threshold: float,
    floor_seconds: float,
) -> Comparison:
    if was is None:
        return Comparison(run, kind, step, now, 0.0, 0.0, "new")
    expected = was * factor
    if max(now, expected) < floor_seconds:
        status = "small"
    elif now > expected * (1 + threshold):
        status = "slower"
    else:
        status = "ok"
    return Comparison(run, kind, step, now, round(expected, 3), was, status)


def slower(comparisons: Iterable[Comparison]) -> list[Comparison]:
    """The comparisons the guard fails on."""
    return [c for c in comparisons if c.status == "slower"]


def guard_report(
    comparisons: list[Comparison],
    factors: Mapping[str, float],
    *,
    threshold: float = THRESHOLD,
    floor_seconds: float = FLOOR_SECONDS,
) -> list[str]:
    """The guard's lines: the scale of each run, then each SLOWER line (or that none is),
    and how many small steps were left out."""
    lines = [
        f"calibration: {run_label(run)}: stored figures × {factor:.2f}"
        for run, factor in factors.items()
    ]
    bad = slower(comparisons)
    lines += [c.message() for c in bad]
    compared = sum(1 for c in comparisons if c.status in ("ok", "slower"))
    small = sum(1 for c in comparisons if c.status == "small")
    new = sorted({c.step for c in comparisons if c.status == "new"})
    if not bad:
        lines.append(
            f"guard: none of {compared} steps and totals more than {threshold * 100:.0f} % slower"
        )
    lines.append(
        f"guard: {small} steps under {floor_seconds} s now and stored were not compared"
        + (f"; new, nothing stored: {', '.join(new)}" if new else "")
    )
    return lines
