"""``arrears legal bundle LOAN --out DIR [--json]`` and ``arrears legal bundle-verify PATH``:
make a loan's evidence bundle, and check one.

``bundle-verify`` exits 0 when every file is as the manifest lists it, 1 naming each
changed, missing or extra file, 2 for a file that is no bundle. It also asks the audit log
whether it records the bundle's manifest hash (said, not required, unless
``--require-recorded``: a bundle checked on another installation is not in this one's log).
"""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from pathlib import Path
from typing import Any

from django.core.management.base import OutputWrapper
from django.db import DatabaseError

from arrears.core.errors import NotFound
from arrears.legal.bundle import bundle_recorded, evidence_bundle_make
from arrears.legal.bundle_verify import VerifyResult, bundle_verify
from arrears.legal.models import Matter
from arrears.portfolio.management.cli import (
    add_creditor_argument,
    parse_business_date,
    resolve_loan,
)


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``bundle`` and ``bundle-verify`` subcommands to ``arrears legal``."""
    make = actions.add_parser(
        "bundle",
        help="make a loan's evidence bundle (证据材料): one zip with an index and a manifest",
        description=(
            "One zip with the loan's terms and schedule, the statement of account and claim,"
            " every payment, contact, message sent (exact text), letter and court paper,"
            " promises and plans, the audit entries, an index (00_证据目录.pdf) and a manifest"
            " of every file's SHA-256 whose own hash goes on the audit log. Personal data is"
            " in full: the bundle is a court exhibit."
        ),
    )
    make.add_argument("loan_id")
    make.add_argument("--out", required=True, metavar="DIR", help="the folder to put it in")
    make.add_argument(
        "--as-of", metavar="DATE", help="figures as of this business date (default: last cycle)"
    )
    make.add_argument("--matter", type=int, metavar="ID", help="file it under this matter")
    make.add_argument("--json", action="store_true", help="print JSON")
    add_creditor_argument(make)
    make.set_defaults(run=run_make)
    verify = actions.add_parser(
        "bundle-verify",
        help="check an evidence bundle: every file against its manifest",
        description=(
            "Exit 0 when every file is as the manifest lists it; 1 naming each changed,"
            " missing or extra file; 2 when the file is not a bundle."
        ),
    )
    verify.add_argument("path")
    verify.add_argument("--json", action="store_true", help="print JSON")
    verify.add_argument(
        "--require-recorded",
        action="store_true",
        help="also fail unless this installation's audit log records the manifest's hash",
    )
    verify.set_defaults(run=run_verify)


def run_make(options: dict[str, Any], stdout: OutputWrapper) -> int | None:
    """Make the bundle and print where it is, how many files, and its SHA-256."""
    loan = resolve_loan(options, stdout=stdout)
    as_of = parse_business_date(options["as_of"], "--as-of") if options.get("as_of") else None
    matter = None
    if options.get("matter") is not None:
        matter = Matter.objects.filter(pk=options["matter"]).first()
        if matter is None:
            raise NotFound(f"--matter: no matter #{options['matter']}")
    out_dir = Path(options["out"]).expanduser()
    bundle = evidence_bundle_make(loan=loan, out_dir=out_dir, matter=matter, as_of=as_of)
    path = (out_dir / Path(bundle.path).name).resolve()
    if options["json"]:
        answer = {
            "path": str(path),
            "files": bundle.files,
            "sha256": bundle.sha256,
            "manifest_sha256": bundle.manifest_sha256,
            "size": bundle.size,
        }
        stdout.write(json.dumps(answer, ensure_ascii=False, indent=2))
        return None
    stdout.write(f"Evidence bundle of {loan.loan_id}: {path}")
    stdout.write(f"  {bundle.files} files, {bundle.size} bytes")
    stdout.write(f"  SHA-256 {bundle.sha256}")
    stdout.write(f"  manifest SHA-256 {bundle.manifest_sha256} (on the audit log)")
    return None


def _with_record(result: VerifyResult) -> tuple[VerifyResult, str]:
    try:
        checked = bundle_recorded(result)
    except DatabaseError as exc:
        return result, f"the audit log was not consulted (database unreachable: {exc})"
    if checked.recorded:
        return checked, "the audit log records this bundle's manifest hash"
    return checked, (
        "the audit log of this installation does not record this manifest's hash"
        " (made elsewhere, or rebuilt after it was made)"
    )


def run_verify(options: dict[str, Any], stdout: OutputWrapper) -> int | None:
    """Check the bundle; 0 when intact, 1 when not (each problem on its own line)."""
    result, record = _with_record(bundle_verify(Path(options["path"]).expanduser()))
    failed = not result.intact or (options["require_recorded"] and result.recorded is not True)
    if options["json"]:
        answer = {
            "path": str(result.path),
            "intact": result.intact,
            "files": result.files,
            "changed": list(result.changed),
            "missing": list(result.missing),
            "extra": list(result.extra),
            "manifest_sha256": result.manifest_sha256,
            "recorded": result.recorded,
        }
        stdout.write(json.dumps(answer, ensure_ascii=False, indent=2))
        return 1 if failed else None
    if result.intact:
        stdout.write(f"intact: {result.files} files (manifest SHA-256 {result.manifest_sha256})")
    else:
        for line in result.problems():
            stdout.write(line)
        stdout.write(f"NOT intact: {len(result.problems())} problem(s) in {result.path}")
    stdout.write(record)
    return 1 if failed else None
