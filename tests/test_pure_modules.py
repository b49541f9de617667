"""Pure calculation modules never import Django, so they stay testable and reusable."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "arrears"
PURE = [
    *sorted((SRC / "portfolio" / "calculations").glob("*.py")),
    *sorted((SRC / "legal" / "calculations").glob("*.py")),
    *sorted((SRC / "insights" / "calculations").glob("*.py")),
    *sorted((SRC / "portfolio" / "tape").glob("*.py")),
    SRC / "portfolio" / "synthetic.py",
    SRC / "portfolio" / "demo.py",
    SRC / "core" / "money.py",
    SRC / "core" / "dates.py",
    SRC / "core" / "masking.py",
    SRC / "core" / "phones.py",
    SRC / "core" / "prefetch.py",
    SRC / "compliance" / "rules.py",
    SRC / "compliance" / "reason_codes.py",
    SRC / "compliance" / "linter.py",
    SRC / "compliance" / "holidays.py",
    *sorted((SRC / "strategy" / "definition").glob("*.py")),
    SRC / "strategy" / "arms.py",
    SRC / "strategy" / "simulation" / "replay.py",
    SRC / "cases" / "assignment_rules.py",
    SRC / "cases" / "plan_quote.py",
    SRC / "core" / "audit_chain.py",
    SRC / "field" / "districts.py",
    SRC / "field" / "evidence_files.py",
    SRC / "agencies" / "commission.py",
    SRC / "quality" / "checklist.py",
    SRC / "quality" / "sampling.py",
    SRC / "quality" / "audio.py",
    SRC / "cycle" / "bench_guard.py",
    SRC / "cycle" / "bench_report.py",
]
ALLOWED_PROJECT_PREFIXES = (
    "arrears.core.money",
    "arrears.core.dates",
    "arrears.core.phones",
    "arrears.compliance.reason_codes",
    "arrears.portfolio.calculations",
    "arrears.legal.calculations",
    "arrears.insights.calculations",
    "arrears.portfolio.tape",
    "arrears.portfolio.synthetic",
    # A pure package's modules import one another.
    "arrears.strategy.definition",
    # The bench's report renders what its guard compared (both pure).
    "arrears.cycle.bench_guard",
)


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_pure_modules_import_neither_django_nor_the_rest_of_the_project() -> None:
    offending = {
        f"{path.relative_to(SRC)}: {name}"
        for path in PURE
        for name in imported_modules(path)
        if name.split(".")[0] == "django"
        or (name.startswith("arrears") and not name.startswith(ALLOWED_PROJECT_PREFIXES))
    }

    assert len(PURE) > 10
    assert offending == set()
