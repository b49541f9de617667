"""``arrears guarantee``: a guarantee company's pay-outs (代偿) and recourse (追偿).

arrears guarantee payout LOAN --on D --amount YUAN [--by CREDITOR] [--penalty-rate R]
                             [--evidence TEXT | --file PATH] [--creditor NAME] [--json]
arrears guarantee recover CLAIM --on D --amount YUAN --payment-id ID [--payer PARTY] [--json]
arrears guarantee report [--creditor NAME] [--as-of D] [--json]

Each subcommand lives in ``arrears.guarantee.cli.<name>``, which adds its parser and the
function that runs it; this command only dispatches.
"""

from __future__ import annotations

from arrears.core.subcommands import SubcommandsCommand


class Command(SubcommandsCommand):
    help = (
        "Guarantee companies: record a pay-out (代偿) and its recourse claim, recoveries on"
        " claims, and the pay-out and recovery report."
    )
    cli_package = "arrears.guarantee.cli"
    subcommands = ("payout", "recover", "report")
