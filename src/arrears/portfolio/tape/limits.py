"""What a tape may hold: the caps on a file (size, rows, columns, cell length) and the bounds
on its values (amounts, dates against the loan).

Pure module: the service layer builds both from the settings and ``core.bounds`` and hands
them in; the defaults here are the same numbers, for callers (and tests) without Django.

Why the caps: a 307 KB XLSX holding one 300 MB string took 24 s and 2.5 GB of memory, and
3 million blank rows took 162 s. Each cap is checked before the expensive work it guards,
so such files are refused in well under a second with a line saying what to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

MIB = 1 << 20
MAX_CELL_CHARS = 2_000

# Loans disbursed before this date are refused: no lender's book still carries one, and a
# date like 0001-01-01 is a default value leaking out of a source system, not a loan.
EARLIEST_DISBURSEMENT = date(1990, 1, 1)
# Disbursement may run a month ahead of the clock: lenders export loans booked for the next
# business days, and a business date may lead the wall clock; more than that is a typo.
DISBURSEMENT_LEAD_DAYS = 31


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Caps on a tape file, checked while reading (settings ``ARREARS_IMPORT_MAX_*``)."""

    max_file_bytes: int = 200 * MIB
    max_rows: int = 5_000_000
    max_columns: int = 200
    max_cell_chars: int = MAX_CELL_CHARS
    # Blank rows are skipped, not counted as data, but each costs parsing time.
    max_blank_rows: int = 100_000
    # XLSX: the unpacked size of the sheet and of its shared strings, each.
    max_unpacked_bytes: int = 1024 * MIB

    @property
    def max_line_chars(self) -> int:
        """The longest CSV line a row within the caps can need (quotes and commas included)."""
        return self.max_columns * (2 * self.max_cell_chars + 3)


def _plain_amount_problem(fen: int, *, allow_zero: bool = True) -> str:
    if fen < 0:
        return "the amount may not be negative"
    if fen == 0 and not allow_zero:
        return "the amount must be above zero"
    if fen > 10**12:
        return "the amount is above the ceiling of 10,000,000,000 yuan"
    return ""


def _plain_date_problem(value: date) -> str:
    if not date(1900, 1, 1) <= value <= date(2100, 12, 31):
        return "the date must be between 1900-01-01 and 2100-12-31"
    return ""


@dataclass(frozen=True, slots=True)
class ValueBounds:
    """The bounds on a row's values; the import passes ``core.bounds``' checks in."""

    amount_problem: Callable[..., str] = _plain_amount_problem
    date_problem: Callable[[date], str] = _plain_date_problem
    today: date = field(default_factory=date.today)
    earliest_disbursement: date = EARLIEST_DISBURSEMENT
    disbursement_lead_days: int = DISBURSEMENT_LEAD_DAYS
    latest_due: date = date(2100, 12, 31)
    max_cell_chars: int = MAX_CELL_CHARS

    @property
    def latest_disbursement(self) -> date:
        return self.today + timedelta(days=self.disbursement_lead_days)
