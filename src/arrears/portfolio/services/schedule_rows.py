"""A chunk of a loans tape's schedules as the import writes them: worked out on the reading
side (``LoanIngestor.prepare``), inserted on the writing side.

On PostgreSQL each loan's installments are made COPY text on the reading side, with
``LOAN_MARK`` where the loan's id goes, since only the writing side reserves the ids: it
then puts them in with one ``str.replace`` a loan and sends the chunk in one write, where
handing the COPY 1.2 million rows one by one cost it more than a fifth of its work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from arrears.core.bulk_load import DateText, bulk_load, copy_text
from arrears.portfolio.models import Installment
from arrears.portfolio.services.party_seals import PartySeal

# A loan's due dates and the (principal, interest) of each period: ``schedule_parts``.
Schedule = tuple[tuple[date, ...], list[tuple[int, int]]]
LOAN_MARK = "\x00"  # never in COPY text, which here holds numbers and dates only
INSTALLMENT_COLUMNS = ("loan_id", "seq", "due_on", "principal", "interest", "fees")


@dataclass(frozen=True, slots=True)
class Prepared:
    """``LoanIngestor.prepare``'s work on a chunk: per row its schedule (SQLite) or its
    installments' COPY text (PostgreSQL), and on PostgreSQL the seals of every borrower,
    then of the guarantors."""

    schedules: list[Schedule]
    blocks: list[str] | None
    seals: list[PartySeal] | None


def copy_blocks(schedules: list[Schedule]) -> list[str]:
    """Each schedule's installments as COPY text lines in ``INSTALLMENT_COLUMNS`` order,
    ``LOAN_MARK`` for the loan id; each shared due-dates tuple's line starts made once."""
    starts: dict[tuple[date, ...], list[str]] = {}
    blocks: list[str] = []
    for dates, parts in schedules:
        heads = starts.get(dates)
        if heads is None:
            heads = starts[dates] = [
                f"{LOAN_MARK}\t{seq}\t{due.isoformat()}\t" for seq, due in enumerate(dates, 1)
            ]
        blocks.append(
            "".join(
                f"{head}{principal}\t{interest}\t0\n"
                for head, (principal, interest) in zip(heads, parts, strict=True)
            )
        )
    return blocks


def write_schedules(
    loans: list[tuple[int, int]], schedules: list[Schedule], blocks: list[str] | None
) -> None:
    """Insert the installments of (loan id, row index) pairs: the rows' COPY text with the
    ids put in when ``blocks`` has it, else made from their schedules."""
    if blocks is not None:
        copy_text(
            Installment._meta.db_table,
            INSTALLMENT_COLUMNS,
            "".join(blocks[index].replace(LOAN_MARK, str(pk)) for pk, index in loans),
        )
        return
    day = DateText()
    # Loans sharing their dates and term share one due-dates tuple: each is numbered and
    # made database-ready once, not once per installment.
    numbered: dict[tuple[date, ...], tuple[tuple[int, object], ...]] = {}

    def rows() -> Iterable[tuple[object, ...]]:
        for pk, index in loans:
            dates, parts = schedules[index]
            due = numbered.get(dates)
            if due is None:
                due = numbered[dates] = tuple(enumerate(map(day, dates), start=1))
            for (seq, due_on), (principal, interest) in zip(due, parts, strict=True):
                yield (pk, seq, due_on, principal, interest, 0)

    bulk_load(Installment._meta.db_table, INSTALLMENT_COLUMNS, rows())
