"""Fuzz the importer: thousands of generated bad cell values, a few big tapes (CSV in UTF-8
and GBK, XLSX), each bad value alone in an otherwise good row. No exception escapes, every
bad row is in the rejects file with a reason naming its column, nothing of a rejected row
is written, and the good rows among them are imported."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from arrears.portfolio.models import Creditor, Installment, Loan, LoanParty, Party, Payment
from tests.factories import loan_row, payment_row, write_csv

pytestmark = pytest.mark.django_db

SEED = 14
# (column, generator of a value that is wrong for it) — each wrong by construction.
Bad = Callable[[random.Random], object]


def _digits(rng: random.Random, low: int, high: int) -> str:
    return str(rng.randint(1, 9)) + "".join(
        rng.choice("0123456789") for _ in range(rng.randint(low, high) - 1)
    )


def _junk(rng: random.Random) -> str:
    alphabet = "abcXYZ!#$%^&*()[]{};:'\"<>?/\\|`~ 　张三¥€\u200b\ufeff\x01\x7f=+-@\t"
    return "x" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))


def _far_date(rng: random.Random) -> str:
    year = rng.choice([rng.randint(1, 1899), rng.randint(2101, 9999)])
    return f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _not_a_date(rng: random.Random) -> str:
    return rng.choice(
        [
            f"2026-{rng.randint(13, 99)}-01",
            f"2026-02-{rng.randint(30, 99)}",
            f"{rng.randint(10000, 99999)}-01-01",
            _junk(rng),
            "9" * rng.randint(6, 40),
            "2026/1/1/1",
        ]
    )


def _too_big_amount(rng: random.Random) -> str:
    yuan = _digits(rng, 11, 40)
    return rng.choice([yuan, f"{yuan}.{rng.randint(0, 99):02d}", f"{int(yuan):,}", f"¥{yuan}"])


def _bad_amount(rng: random.Random) -> object:
    return rng.choice(
        [
            _too_big_amount(rng),
            f"-{rng.randint(1, 10**6)}",
            "0",
            "0.00",
            f"{rng.randint(1, 999)}.{rng.randint(10, 99)}{rng.randint(1, 9)}",
            _junk(rng),
            rng.choice(["NaN", "inf", "-inf", "1e999", "1e5", "Infinity", "--5", "5-", "1.2.3"]),
        ]
    )


def _disbursement(today: date) -> Bad:
    def bad(rng: random.Random) -> object:
        return rng.choice(
            [
                _far_date(rng),
                _not_a_date(rng),
                f"{rng.randint(1900, 1989)}-{rng.randint(1, 12):02d}-01",
                (today + timedelta(days=rng.randint(40, 20_000))).isoformat(),
                "0001-01-01",
                "9999-12-31",
            ]
        )

    return bad


LOAN_BAD: dict[str, Bad] = {
    "loan_id": lambda rng: rng.choice(["", " ", "x" * rng.randint(101, 3000)]),
    "borrower_name": lambda rng: rng.choice(["", "名" * rng.randint(201, 2500)]),
    "borrower_id_number": lambda rng: rng.choice(
        [_junk(rng), _digits(rng, 1, 17), _digits(rng, 19, 30), _digits(rng, 15, 15), "1" * 18]
    ),
    "principal": _bad_amount,
    "annual_rate": lambda rng: rng.choice(
        [
            f"-{rng.randint(1, 50)}",
            str(rng.randint(101, 10**9)),
            f"0.{rng.randint(1, 9)}",
            _junk(rng),
            "1e999%",
            _digits(rng, 20, 60),
        ]
    ),
    "term_months": lambda rng: rng.choice(
        ["0", str(rng.randint(601, 10**6)), _digits(rng, 20, 50), "-3", "1.5", _junk(rng), "²"]
    ),
    "repayment_method": lambda rng: _junk(rng),
    "penalty_rate": lambda rng: rng.choice([f"-{rng.randint(1, 9)}", "250%", _junk(rng)]),
    "grace_days": lambda rng: rng.choice(
        [str(rng.randint(366, 10**12)), "-1", _junk(rng), _digits(rng, 30, 80)]
    ),
    "borrower_phone": lambda rng: rng.choice(["12", _junk(rng), _digits(rng, 13, 30)]),
    "borrower_email": lambda rng: rng.choice(["a@b", "no-at-sign.com", _junk(rng)]),
}


def _loan_bad(today: date) -> dict[str, Bad]:
    return {**LOAN_BAD, "disbursed_on": _disbursement(today)}


def _rows(rng: random.Random, count: int, prefix: str, today: date) -> tuple[list, dict]:
    """``count`` rows, nine in ten with one bad value; → (rows, loan id → bad column)."""
    bad = _loan_bad(today)
    rows: list[dict[str, object]] = []
    expected: dict[str, str] = {}
    for number in range(count):
        loan_id = f"{prefix}{number}"
        row: dict[str, object] = {**loan_row(loan_id), "disbursed_on": "2026-01-31"}
        if number % 10:
            column = rng.choice(sorted(bad))
            row[column] = bad[column](rng)
            expected[str(row["loan_id"]).strip() or f"row-{number}"] = column
            if column == "loan_id":
                row["borrower_name"] = f"name-{prefix}{number}"
        rows.append(row)
    return rows, expected


def _ingest(creditor: Creditor, kind: str, path: Path) -> dict[str, object]:
    out = StringIO()
    call_command("ingest", kind, str(path), "--creditor", creditor.name, "--json", stdout=out)
    return json.loads(out.getvalue())


def _rejects(result: dict[str, object]) -> list[dict[str, str]]:
    text = Path(str(result["rejects_file"])).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(StringIO(text)))


def _write_xlsx(path: Path, rows: list[dict[str, object]]) -> Path:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(rows[0]))
    for row in rows:
        cells = []
        for key, value in row.items():
            text = str(value)
            # Numbers as real numbers in the numeric columns, as spreadsheets store them.
            numeric = key in ("principal", "annual_rate", "term_months", "grace_days")
            if numeric and text.isascii() and text.isdigit() and len(text) < 300:
                cells.append(float(text) if len(text) > 15 else int(text))
            else:
                # A cell of a sheet may not hold XML-illegal control characters.
                cells.append("".join(c for c in text if c >= " " or c in "\t\n\r"))
        sheet.append(cells)
    workbook.save(path)
    return path


def _check(
    creditor: Creditor, path: Path, rows: list[dict[str, object]], expected: dict[str, str]
) -> int:
    result = _ingest(creditor, "loans", path)

    good = [str(row["loan_id"]) for n, row in enumerate(rows) if n % 10 == 0]
    assert result["created"] == len(good)
    assert result["rejected"] == len(rows) - len(good)
    rejected = _rejects(result)
    by_row = {int(r["row_number"]): r for r in rejected}
    for number, row in enumerate(rows):
        if number % 10 == 0:
            continue
        reject = by_row[number + 2]
        column = expected[str(row["loan_id"]).strip() or f"row-{number}"]
        assert reject["errors"], reject
        assert column + ":" in reject["errors"] or "is required" in reject["errors"], (
            column,
            row[column],
            reject["errors"],
        )
    stored = set(Loan.objects.filter(creditor=creditor).values_list("loan_id", flat=True))
    assert set(good) <= stored
    bad_ids = {str(row["loan_id"]) for n, row in enumerate(rows) if n % 10}
    assert not stored & bad_ids
    return len(rows) - len(good)


def test_thousands_of_bad_loan_cells_are_each_rejected_with_a_reason(
    creditor: Creditor, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    today = timezone.localdate()
    checked = 0
    for name, count, writer in (
        ("utf8.csv", 1400, lambda p, r: write_csv(p, r)),
        ("gbk.csv", 900, lambda p, r: write_csv(p, _gbk_safe(r), encoding="gbk")),
        ("sheet.xlsx", 1200, _write_xlsx),
    ):
        rows, expected = _rows(rng, count, name.split(".")[0] + "-", today)
        if name == "gbk.csv":
            rows = _gbk_safe(rows)
        path = writer(tmp_path / name, [{k: str(v) for k, v in row.items()} for row in rows])
        checked += _check(creditor, path, rows, expected)

    assert checked >= 3000
    loans = Loan.objects.count()
    # Nothing of a rejected row: one borrower and one schedule per imported loan only.
    assert Party.objects.count() == loans
    assert LoanParty.objects.count() == loans
    assert Installment.objects.values("loan_id").distinct().count() == loans


def _gbk_safe(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [
        {k: str(v).encode("gbk", "replace").decode("gbk") for k, v in row.items()} for row in rows
    ]


def test_bad_payment_cells_are_each_rejected_and_nothing_of_them_recorded(
    creditor: Creditor, tmp_path: Path
) -> None:
    rng = random.Random(SEED + 1)
    _ingest(creditor, "loans", write_csv(tmp_path / "loans.csv", [loan_row("F1")]))
    bad: dict[str, Bad] = {
        "payment_id": lambda r: r.choice(["", "p" * r.randint(101, 2500)]),
        "loan_id": lambda r: r.choice(["", f"NOPE-{r.randint(1, 10**9)}"]),
        "paid_on": lambda r: r.choice([_far_date(r), _not_a_date(r), "2026-01-01", "2099-01-01"]),
        "amount": _bad_amount,
    }
    rows = []
    for number in range(600):
        row = payment_row(f"P{number}", "F1", "2026-02-28", "10")
        if number % 10:
            column = rng.choice(sorted(bad))
            row[column] = str(bad[column](rng))
        rows.append(row)

    result = _ingest(creditor, "payments", write_csv(tmp_path / "payments.csv", rows))

    assert (result["created"], result["rejected"]) == (60, 540)
    assert all(r["errors"] for r in _rejects(result))
    assert Payment.objects.count() == 60
