"""What ``bench/steady`` prints and stores (pure: no Django, no database): the step × day
table of a run, the section of docs/benchmarks.md, the baseline record."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from arrears.cycle.bench_guard import FIRST, FOLLOWING, TOTAL, run_label


def day_table(run: Mapping[str, Any]) -> list[str]:
    """One run's steps (rows) by day (columns), in seconds summed over partitions, then the
    steps' sum, the day's wall-clock total, the partitions and the slowest one's seconds (all
    its steps), and µs per loan of the total."""
    days = run["days"]
    names = list(days[0]["steps"]) if days else []
    width = max([len(n) for n in names] + [14])
    head = f"{'step':<{width}}" + "".join(f"{d['date']:>12}" for d in days)
    lines = [head]
    for name in names:
        cells = "".join(f"{d['steps'].get(name, 0.0):>12.2f}" for d in days)
        lines.append(f"{name:<{width}}{cells}")
    lines.append(
        f"{'steps summed':<{width}}" + "".join(f"{sum(d['steps'].values()):>12.2f}" for d in days)
    )
    lines.append(f"{'total (wall)':<{width}}" + "".join(f"{d['seconds']:>12.2f}" for d in days))
    parts = [d.get("partition_seconds", []) for d in days]
    lines.append(f"{'partitions':<{width}}" + "".join(f"{len(p):>12}" for p in parts))
    lines.append(f"{'  slowest':<{width}}" + "".join(f"{max(p, default=0):>12.2f}" for p in parts))
    lines.append(
        f"{'µs per loan':<{width}}"
        + "".join(f"{d['seconds'] / run['loans'] * 1e6:>12.1f}" for d in days)
    )
    return lines


def docs_section(record: Mapping[str, Any], *, heading: str) -> str:
    """The Markdown section of one stored run (a ``baseline_record``): machine, date,
    commit, calibration, then one table: steps by run and kind of day (the following days
    averaged), totals and µs per loan; the pages' medians when they were timed."""
    runs = record["runs"]
    columns = [(run, kind) for run in runs for kind in (FIRST, FOLLOWING) if kind in runs[run]]
    names: list[str] = []
    for run, kind in columns:
        names += [n for n in runs[run][kind]["steps"] if n not in names]
    header = (
        "| step | "
        + " | ".join(
            f"{run_label(run)} {'first' if kind == FIRST else 'following'}" for run, kind in columns
        )
        + " |"
    )
    lines = [
        f"### {heading}",
        "",
        f"Machine: {record['machine']}. Date {record['date']}, commit {record['commit']}, "
        f"{record['loans']:,} loans. Calibration (best of 3, s): "
        + ", ".join(f"{run_label(run)} {runs[run]['calibration_seconds']:.3f}" for run in runs)
        + ".",
        "",
        header,
        "|---|" + "---:|" * len(columns),
    ]
    for name in names:
        cells = [runs[run][kind]["steps"].get(name) for run, kind in columns]
        lines.append(f"| {name} | " + " | ".join(_cell(c) for c in cells) + " |")
    totals = [runs[run][kind][TOTAL] for run, kind in columns]
    lines.append("| **total (wall)** | " + " | ".join(f"**{t:.2f}**" for t in totals) + " |")
    lines.append(
        "| µs per loan | " + " | ".join(f"{t / record['loans'] * 1e6:.1f}" for t in totals) + " |"
    )
    if record.get("pages"):
        lines += ["", "Pages (PostgreSQL, gunicorn 3×4, no think time):", ""]
        for users, summary in record["pages"].items():
            lines += [f"- {users}, {line}" for line in pages_lines(summary)]
    return "\n".join(lines) + "\n"


def _cell(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:.2f}"


def docs_update(text: str, key: str, section: str) -> str:
    """``text`` with the section marked ``key`` replaced by ``section``, or ``section``
    appended when there is none (a re-run of the same day and book size replaces it)."""
    start, end = f"<!-- steady {key} -->", f"<!-- /steady {key} -->"
    block = f"{start}\n{section}{end}\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text, count=1)
    return text.rstrip("\n") + "\n\n" + block


def pages_lines(summary: Mapping[str, Any], path: str = "") -> list[str]:
    """A pages summary flattened to "think_0ms queue: median 12.0 ms, p95 20.1 ms (480)"
    lines, whatever nesting the pages bench gives (its server-time figures among them)."""
    if "median_ms" in summary:
        return [
            f"{path}: median {summary['median_ms']} ms, p95 {summary.get('p95_ms')} ms "
            f"({summary.get('requests')} requests)"
        ]
    lines = []
    for name, value in summary.items():
        inner = f"{path} {name}".strip()
        if isinstance(value, Mapping):
            lines += pages_lines(value, inner)
        else:
            lines.append(f"{inner}: {value}")
    return lines


def pages_summary(figures: Mapping[str, Any]) -> dict[str, Any]:
    """The pages bench's figures (its ``--json``) cut to each phase's per-page summaries."""
    return {
        phase: {page: value for page, value in numbers.items() if isinstance(value, dict)}
        for phase, numbers in figures.items()
        if phase.startswith("think_") and isinstance(numbers, dict)
    }
