"""``arrears legal document LOAN --kind KIND --format docx|pdf --out PATH [--as-of D]``:
draft a court paper, keep it under the data directory and copy it to ``--out``.

Run by the server's operator: the paper carries names and ID numbers in full, and its
generation is on the audit chain (actor ``system``).
"""

from __future__ import annotations

import shutil
from argparse import ArgumentParser, _SubParsersAction
from pathlib import Path
from typing import Any

from django.core.management.base import OutputWrapper
from django.utils import timezone

from arrears.core.errors import InvalidInput, NotFound
from arrears.legal.choices import DocumentFormat, DocumentKind
from arrears.legal.document_services import legal_document_file, legal_document_generate
from arrears.legal.models import Matter
from arrears.portfolio.management.cli import (
    add_creditor_argument,
    parse_business_date,
    resolve_loan,
)


def add_to(actions: _SubParsersAction[ArgumentParser]) -> None:
    """Add ``document`` to ``arrears legal``."""
    parser = actions.add_parser(
        "document",
        help="draft a court paper for a loan (Word or PDF), with the claim as of a date",
    )
    parser.add_argument("loan_id")
    parser.add_argument("--kind", required=True, choices=DocumentKind.values)
    parser.add_argument("--format", required=True, choices=DocumentFormat.values)
    parser.add_argument(
        "--out", required=True, metavar="PATH", help="file to write, or a folder to write it in"
    )
    parser.add_argument("--as-of", metavar="DATE", help="date of the figures (default: today)")
    parser.add_argument("--matter", type=int, metavar="ID", help="the legal matter it is for")
    parser.add_argument(
        "--accelerate",
        action="store_true",
        help="claim the whole outstanding principal (the loan was called in: 加速到期)",
    )
    add_creditor_argument(parser)
    parser.set_defaults(run=run)


def _check_out(out: Path) -> None:
    """Refuse an ``--out`` that cannot be written before drafting anything."""
    if not out.is_dir() and not out.parent.is_dir():
        raise InvalidInput(f"--out: folder {out.parent} does not exist", field="out")


def run(options: dict[str, Any], stdout: OutputWrapper) -> int | None:
    """Draft the paper, copy it to ``--out`` and print where and its SHA-256."""
    loan = resolve_loan(options, stdout=stdout)
    as_of = (
        parse_business_date(options["as_of"], "--as-of")
        if options.get("as_of")
        else timezone.localdate()
    )
    matter = None
    if options.get("matter") is not None:
        matter = Matter.objects.filter(pk=options["matter"]).first()
        if matter is None:
            raise NotFound(f"matter {options['matter']} not found")
    out = Path(options["out"])
    _check_out(out)
    document = legal_document_generate(
        loan=loan,
        kind=options["kind"],
        fmt=options["format"],
        as_of=as_of,
        matter=matter,
        accelerate=options.get("accelerate", False),
    )
    source = legal_document_file(document)
    target = out / source.name if out.is_dir() else out
    shutil.copyfile(source, target)
    stdout.write(f"{target}\n")
    stdout.write(f"sha256 {document.sha256}\n")
    return None
