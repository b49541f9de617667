"""``arrears ingest loans|payments|parties FILE``: import a tape of the creditor's portfolio.

On a terminal a progress bar (rows, rate, ETA) runs on standard error; standard output has
the one-line summary, or the JSON.
"""

from __future__ import annotations

import json
import logging
from argparse import ArgumentParser
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from django.core.management.base import CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from arrears.core.commands import DataCommand
from arrears.core.progress import Progress, progress
from arrears.portfolio.choices import TapeKind
from arrears.portfolio.management.cli import add_creditor_argument, resolve_creditor
from arrears.portfolio.services import tape_ingest
from arrears.portfolio.tape.reading import TapeError

logger = logging.getLogger(__name__)


class TapeProgress:
    """A row bar for ``tape_ingest``: opened when the importer knows the tape's row count
    (``on_total``), advanced per chunk (``advance``); nothing drawn unless on a terminal.
    Use as a context manager around the import."""

    def __init__(
        self, desc: str, *, stream: IO[str] | None = None, force: bool | None = None
    ) -> None:
        self.desc = desc
        self.stream = stream
        self.force = force
        self._stack = ExitStack()
        self._bar: Progress | None = None

    def set_total(self, total: int | None) -> None:
        if self._bar is None:
            self._bar = self._stack.enter_context(
                progress(
                    total=total, desc=self.desc, unit="row", stream=self.stream, force=self.force
                )
            )

    def advance(self, rows: int) -> None:
        if self._bar is None:
            self.set_total(None)
        assert self._bar is not None
        self._bar.update(rows)

    def __enter__(self) -> TapeProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stack.close()


class Command(DataCommand):
    help = (
        "Import a loans, payments or parties file (CSV in UTF-8 or GBK, or XLSX). Every row "
        "ends created, updated, unchanged or rejected; rejected rows go to a rejects CSV."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=[kind.value for kind in TapeKind])
        parser.add_argument("file", type=Path)
        add_creditor_argument(parser)
        parser.add_argument(
            "--rejects", type=Path, metavar="PATH", help="where to write rejected rows"
        )
        parser.add_argument("--json", action="store_true", help="print the outcome as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        creditor = resolve_creditor(options, create=True, stdout=self.stdout)
        try:
            with TapeProgress(options["kind"]) as bar:
                result = tape_ingest(
                    creditor=creditor,
                    kind=options["kind"],
                    path=path,
                    rejects_path=options["rejects"],
                    progress=bar.advance,
                    on_total=bar.set_total,
                    reader_process=True,
                )
        except TapeError as exc:
            raise CommandError(f"{path}: {exc.message(_)}", returncode=2) from exc
        except (DatabaseError, ArithmeticError, ValueError, OSError) as exc:
            # Validation keeps out every value known to break a write; should one still get
            # through, the user gets one line (ARREARS_LOG_LEVEL=INFO shows the traceback).
            logger.info("import of %s stopped", path, exc_info=True)
            raise CommandError(
                _(
                    "%(path)s: the import stopped (%(error)s); the rows before it are"
                    " imported and running it again is safe"
                )
                % {"path": path, "error": f"{type(exc).__name__}: {exc}"[:200]},
                returncode=1,
            ) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        self.stdout.write(
            f"{path.name} ({creditor}): {result.created:,} created, {result.updated:,} updated, "
            f"{result.unchanged:,} unchanged, {result.rejected:,} rejected "
            f"in {result.seconds:.1f} s"
        )
        if result.rejects_file:
            self.stdout.write(f"rejected rows and their reasons: {result.rejects_file}")
