"""``tape_ingest``: one entry point for a loans, payments or parties tape, which picks the
row validator and the ingestor of its kind and records the import."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from arrears.portfolio.choices import TapeKind
from arrears.portfolio.models import Creditor, TapeImport
from arrears.portfolio.services.ingest import (
    IngestResult,
    default_rejects_path,
    file_sha256,
    run_ingestor,
)
from arrears.portfolio.services.loans_ingest import LoanIngestor
from arrears.portfolio.services.parties_ingest import PartyIngestor
from arrears.portfolio.services.payments_ingest import PaymentIngestor
from arrears.portfolio.tape.reading import open_tape
from arrears.portfolio.tape.rejects import RejectsWriter
from arrears.portfolio.tape.validation import (
    validate_loan_rows,
    validate_party_rows,
    validate_payment_rows,
)


def tape_ingest(
    *,
    creditor: Creditor,
    kind: str,
    path: Path,
    rejects_path: Path | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int | None], None] | None = None,
) -> IngestResult:
    """Import a loans, payments or parties tape for ``creditor``.

    Raises ``TapeError`` (one line, plain words) when the file as a whole is unusable;
    otherwise every row is accounted for in the result and rejected rows are written to
    ``rejects_path`` (default: beside the file).
    """
    kinds = {
        TapeKind.LOANS: (validate_loan_rows, LoanIngestor),
        TapeKind.PAYMENTS: (validate_payment_rows, PaymentIngestor),
        TapeKind.PARTIES: (validate_party_rows, PartyIngestor),
    }
    validate, ingestor_class = kinds[TapeKind(kind)]
    tape = open_tape(path)
    rows = validate(tape)  # maps headers first: a missing column raises before any write
    if on_total:
        on_total(tape.total_rows)
    with RejectsWriter(rejects_path or default_rejects_path(path), tape.headers) as rejects:
        result = run_ingestor(
            ingestor_class(creditor),
            rows,
            on_reject=lambda row, errors: rejects.write(row, errors),
            progress=progress,
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
