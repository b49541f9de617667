"""``arrears quality``: call recordings and quality review (质检).

arrears quality report --month YYYY-MM [--json]
arrears quality sample --from D --to D (--rate PERCENT | --per-collector N) --by USER
                       [--collector USER] [--seed N] [--json]

Each subcommand lives in ``arrears.quality.cli.<name>``; this command only dispatches.
"""

from __future__ import annotations

from arrears.core.subcommands import SubcommandsCommand


class Command(SubcommandsCommand):
    help = (
        "Call quality review: the monthly quality report per collector, and drawing a"
        " reproducible sample of calls to review."
    )
    cli_package = "arrears.quality.cli"
    subcommands = ("report", "sample")
