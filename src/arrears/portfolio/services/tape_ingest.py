"""``tape_ingest``: one entry point for a loans, payments or parties tape, which picks the
row validator and the ingestor of its kind and records the import."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from arrears.core import bounds
from arrears.core.spreadsheet import safe_csv_writer
from arrears.portfolio.choices import TapeKind
from arrears.portfolio.models import Creditor, TapeImport
from arrears.portfolio.services.creditors import creditor_phone_region
from arrears.portfolio.services.ingest import (
    IngestResult,
    default_rejects_path,
    file_sha256,
    run_ingestor,
)
from arrears.portfolio.services.loans_ingest import LoanIngestor
from arrears.portfolio.services.parties_ingest import PartyIngestor
from arrears.portfolio.services.payments_ingest import PaymentIngestor
from arrears.portfolio.tape.limits import ReadLimits, ValueBounds
from arrears.portfolio.tape.reading import open_tape
from arrears.portfolio.tape.rejects import RejectsWriter
from arrears.portfolio.tape.validation import (
    validate_loan_rows,
    validate_party_rows,
    validate_payment_rows,
)


def read_limits() -> ReadLimits:
    """The import caps from the settings (``ARREARS_IMPORT_MAX_*``), else the defaults."""
    default = ReadLimits()
    return ReadLimits(
        **{
            name: int(getattr(settings, f"ARREARS_IMPORT_{name.upper()}", getattr(default, name)))
            for name in (
                "max_file_bytes",
                "max_rows",
                "max_columns",
                "max_cell_chars",
                "max_blank_rows",
                "max_unpacked_bytes",
            )
        }
    )


def value_bounds(limits: ReadLimits) -> ValueBounds:
    """The bounds on a tape's values: ``core.bounds``' ceiling and dates, today's date."""
    return ValueBounds(
        amount_problem=bounds.amount_problem,
        date_problem=bounds.date_problem,
        today=timezone.localdate(),
        max_cell_chars=limits.max_cell_chars,
    )


def tape_ingest(
    *,
    creditor: Creditor,
    kind: str,
    path: Path,
    rejects_path: Path | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int | None], None] | None = None,
    phone_region: str | None = None,
    reader_process: bool = False,
) -> IngestResult:
    """Import a loans, payments or parties tape for ``creditor``.

    Raises ``TapeError`` (one line, plain words) when the file as a whole is unusable;
    otherwise every row is accounted for in the result and rejected rows are written to
    ``rejects_path`` (default: beside the file), each reason in the active language.
    Phone numbers without a country code are read in ``phone_region`` (default: the
    region of the creditor's policy pack, ``creditor_phone_region``). ``reader_process``:
    read and validate in a forked process (``run_ingestor``; commands only).
    """
    kinds = {
        TapeKind.LOANS: (validate_loan_rows, LoanIngestor),
        TapeKind.PAYMENTS: (validate_payment_rows, PaymentIngestor),
        TapeKind.PARTIES: (validate_party_rows, PartyIngestor),
    }
    validate, ingestor_class = kinds[TapeKind(kind)]
    limits = read_limits()
    tape = open_tape(path, limits)
    # Headers are mapped first: a missing column raises before any write.
    region = phone_region or creditor_phone_region(creditor)
    rows = validate(tape, value_bounds(limits), region)
    if on_total:
        on_total(tape.total_rows)
    with RejectsWriter(
        rejects_path or default_rejects_path(path),
        tape.headers,
        make_writer=safe_csv_writer,
        translate=gettext,
    ) as rejects:
        result = run_ingestor(
            ingestor_class(creditor),
            rows,
            on_reject=lambda row, errors: rejects.write(row, errors),
            progress=progress,
            reader_process=reader_process,
        )
        result.rejects_file = str(rejects.path) if rejects.count else None
    TapeImport.objects.create(
        creditor=creditor,
        kind=kind,
        file_name=str(path),
        file_sha256=file_sha256(path),
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=result.rejected,
        rejects_file=result.rejects_file or "",
        seconds=result.seconds,
    )
    return result
