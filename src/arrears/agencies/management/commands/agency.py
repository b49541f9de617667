"""``arrears agency``: outside collection agencies (委外催收) — placements and commission.

arrears agency list [--json]
arrears agency contract AGENCY --creditor NAME --from D [--to D] [--days N]
                        (--bucket M2=12 … | --tier 0=15 …) [--reference REF] [--json]
arrears agency place CASE AGENCY [--on D] [--by USER] [--json]
arrears agency recall (CASE | --agency AGENCY) [--reason R] [--note T] [--on D] [--json]
arrears agency statement AGENCY --month YYYY-MM [--json]

Each subcommand lives in ``arrears.agencies.cli.<name>``; this command only dispatches.
"""

from __future__ import annotations

from arrears.core.subcommands import SubcommandsCommand


class Command(SubcommandsCommand):
    help = (
        "Collection agencies: their contracts, placing cases and recalling them, and the"
        " monthly commission statement."
    )
    cli_package = "arrears.agencies.cli"
    subcommands = ("list", "contract", "place", "recall", "statement")
