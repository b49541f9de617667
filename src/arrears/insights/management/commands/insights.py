"""``arrears insights``: the collection manager's tables from the command line.

arrears insights kpis --month YYYY-MM [--creditor NAME] [--json]
arrears insights roll-rates --from YYYY-MM --to YYYY-MM [--json]
arrears insights vintages --metric ever30|ever90 [--json]
arrears insights recovery [--json]
arrears insights experiment NAME [--json] [--promote ...]

Each subcommand lives in a module of ``arrears.insights.cli`` with an ``add_to(actions)``
that adds its parser and sets ``run``; this command finds them and only dispatches, so a new
table is a new module.
"""

from __future__ import annotations

from arrears.core.subcommands import SubcommandsCommand


class Command(SubcommandsCommand):
    help = (
        "Insights: aging and KPIs for a month, roll rates, vintages, recovery curves and"
        " experiment results."
    )
    cli_package = "arrears.insights.cli"
