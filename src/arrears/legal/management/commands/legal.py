"""``arrears legal``: the legal desk from the command line.

arrears legal fees --claim 150000 [--json]
arrears legal claim LOAN --as-of 2026-12-01 [--accelerate] [--json]
arrears legal matter open LOAN --kind lawsuit --court NAME --on D [--json]
arrears legal matter event ID --kind served --on D
arrears legal deadlines [--within DAYS] [--json]
arrears legal document LOAN --kind complaint --format docx --out PATH [--as-of D]
arrears legal bundle LOAN --out DIR [--json]
arrears legal bundle-verify PATH

Each subcommand lives in ``arrears.legal.cli.<name>``, which adds its parser and the
function that runs it; this command only dispatches.
"""

from __future__ import annotations

from arrears.core.subcommands import SubcommandsCommand


class Command(SubcommandsCommand):
    help = (
        "Legal recovery: court fees, the claim on a date, matters and their deadlines, court"
        " documents and evidence bundles."
    )
    cli_package = "arrears.legal.cli"
    subcommands = ("fees", "claim", "matter", "deadlines", "document", "bundle")
