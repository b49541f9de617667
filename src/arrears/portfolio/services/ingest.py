"""The tape ingest driver: read a file, validate rows, hand good rows to an ingestor in chunks.

Each row of a tape ends in exactly one of created, updated, unchanged or rejected. Rejected
rows go to a rejects CSV with every reason; the rest of the file is still imported. Chunks
commit separately so a huge file does not hold one giant transaction; re-running an
interrupted import is safe because every ingestor is idempotent.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.db import transaction

from arrears.core.bulk import BackgroundStatistics
from arrears.core.prefetch import batches, forked_batches, prefetched_batches
from arrears.portfolio.tape.records import RowResult

CHUNK_ROWS = 5_000
# The first chunks are smaller, each twice the one before: the writer waits only for the
# first to be read and validated (0.8 s at 5,000 rows), then writes each while the reading
# side makes the next, twice as large, in about the same time.
FIRST_CHUNK_ROWS = 500

# What an ingestor says of one good row: an outcome word, or the reasons it was refused.
Outcome = str | list[str]
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class Ingestor(Protocol):
    """Takes validated rows of one kind, chunk by chunk, and writes them.

    ``tables`` names the tables it writes, so the driver can refresh their statistics.
    ``prepare`` does a chunk's work that needs no database (it runs in the reading thread,
    ahead of the chunk, while the database works on the one before); ``ingest_chunk``
    gets what it returned, or None when the caller did not prepare the chunk.
    """

    tables: tuple[str, ...]

    def prepare(self, rows: list[RowResult]) -> Any: ...

    def ingest_chunk(self, rows: list[RowResult], prepared: Any = None) -> list[Outcome]: ...

    def finish(self) -> None: ...


@dataclass
class IngestResult:
    """How the rows of one import ended; ``as_json`` is the ``--json`` contract."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects_file: str | None = None
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    def as_json(self) -> dict[str, object]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejects_file": self.rejects_file,
        }


def run_ingestor(
    ingestor: Ingestor,
    rows: Iterable[RowResult],
    *,
    on_reject: Callable[[RowResult, list[str]], None] | None = None,
    progress: Callable[[int], None] | None = None,
    reader_process: bool = False,
) -> IngestResult:
    """Feed ``rows`` to ``ingestor`` in chunks, counting outcomes and reporting rejects.

    The next chunk is read, validated and prepared while this one is written: in a thread,
    or with ``reader_process`` in a forked process (``core.prefetch.forked_batches``: a
    second core for the reading side; only for a single-threaded caller, a command).
    """
    result = IngestResult()
    started = time.perf_counter()

    def chunks() -> Iterator[tuple[list[RowResult], list[RowResult], Any]]:
        for batch in batches(rows, CHUNK_ROWS, first=FIRST_CHUNK_ROWS):
            good = [row for row in batch if not row.errors]
            yield batch, good, ingestor.prepare(good) if good else None

    ahead = forked_batches if reader_process else prefetched_batches
    analyze_at = CHUNK_ROWS
    statistics = BackgroundStatistics(ingestor.tables)
    try:
        for [(batch, good, prepared)] in ahead(chunks(), 1):
            for row in batch:
                if row.errors:
                    result.rejected += 1
                    if on_reject:
                        on_reject(row, row.errors)
            if good:
                with transaction.atomic():
                    outcomes = ingestor.ingest_chunk(good, prepared)
                for row, outcome in zip(good, outcomes, strict=True):
                    if isinstance(outcome, list):
                        result.rejected += 1
                        if on_reject:
                            on_reject(row, outcome)
                    elif outcome == CREATED:
                        result.created += 1
                    elif outcome == UPDATED:
                        result.updated += 1
                    else:
                        result.unchanged += 1
            if progress:
                progress(len(batch))
            if result.rows >= analyze_at:
                # Each time the import has doubled, so do the tables it writes (roughly).
                statistics.request()
                analyze_at *= 2
    finally:
        statistics.close()
    ingestor.finish()
    result.seconds = time.perf_counter() - started
    return result


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_rejects_path(path: Path) -> Path:
    """Rejects of ``loans.csv`` go to ``loans.rejects.csv`` beside it."""
    return path.with_name(f"{path.stem}.rejects.csv")
