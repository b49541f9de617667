"""Import bombs: how fast and in how little memory the tape reader refuses them.

Issue 14 measured, before the import limits: an XLSX of 307 KB holding one 300 MB string,
24 s and 2.5 GB; an XLSX with 3 million blank rows, 162 s. This script builds those files
(and a few more) in a scratch folder, opens and validates each in a fresh process, and
prints the outcome, the seconds and the process's peak memory. The goal is under 5 s each
and no more memory than a small import; the figures are printed, not asserted.

Usage (from the project root): .venv/bin/python bench/import_bombs.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))


def _measure(path: str) -> None:
    """In the child: open and validate ``path``; print JSON with outcome, seconds, peak MB."""
    from arrears.portfolio.tape.reading import TapeError, open_tape
    from arrears.portfolio.tape.validation import validate_loan_rows

    started = time.perf_counter()
    try:
        rows = sum(1 for _ in validate_loan_rows(open_tape(Path(path))))
        outcome = f"read {rows:,} rows"
    except TapeError as error:
        outcome = f"refused: {error}"
    seconds = time.perf_counter() - started
    # VmHWM is this process's own peak (ru_maxrss would carry the parent's across exec).
    status = Path("/proc/self/status").read_text()
    peak_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    peak_mb = peak_kb / 1024
    print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_mb": peak_mb}))


def _bombs(folder: Path) -> list[tuple[str, Path]]:
    from tests.factories import LOAN_HEADERS, loan_row
    from tests.portfolio.tape.bombs import blank_rows_xlsx, giant_string_xlsx, row_xml, write_xlsx

    row = loan_row("L1")
    huge_csv = folder / "long_line.csv"
    with huge_csv.open("w", encoding="utf-8") as handle:
        handle.write(",".join(LOAN_HEADERS) + "\n")
        for _ in range(150):
            handle.write("," * (1 << 20))
        handle.write("\n")
    return [
        ("300 MB shared string (XLSX)", giant_string_xlsx(folder / "giant_string.xlsx")),
        ("3,000,000 blank rows (XLSX)", blank_rows_xlsx(folder / "blank_rows.xlsx", LOAN_HEADERS)),
        (
            "one row numbered 3,000,000 (XLSX)",
            write_xlsx(
                folder / "row_gap.xlsx",
                [row_xml(1, list(row)), row_xml(3_000_000, list(row.values()))],
            ),
        ),
        ("150 MB line of commas (CSV)", huge_csv),
        ("XLSX named .csv, one good row", _xlsx_as_csv(folder / "named.csv", row)),
    ]


def _xlsx_as_csv(path: Path, row: dict[str, str]) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(row))
    sheet.append(list(row.values()))
    workbook.save(path)
    return path


def main() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.config.settings")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        print(f"{'file':36} {'size':>10} {'seconds':>8} {'peak MB':>8}  outcome")
        for name, path in _bombs(folder):
            child = subprocess.run(
                [sys.executable, __file__, "--measure", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            size = path.stat().st_size
            shown = f"{size / (1 << 20):,.1f} MiB" if size >= 1 << 20 else f"{size / 1024:,.0f} KB"
            print(
                f"{name:36} {shown:>10} {figures['seconds']:8.2f} {figures['peak_mb']:8.0f}"
                f"  {figures['outcome']}"
            )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        _measure(sys.argv[2])
    else:
        main()
