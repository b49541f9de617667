"""``arrears payments``: payments that arrived by notice and wait for reconciliation.

arrears payments unmatched [--json]

Lists the provider notices kept unmatched (unknown or closed loan, no creditor set, refused
by the ledger): id, provider, transaction id, the loan id as received, the amount in yuan,
when it was paid, why it waits, when it arrived. A manager matches them on the workbench's
"Unmatched payments" page.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from arrears.core.commands import DataCommand
from arrears.portfolio.notice_selectors import notice_row, notices_unmatched


class Command(DataCommand):
    help = "Payments that arrived by provider notice and are not on a loan yet."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        unmatched = actions.add_parser(
            "unmatched", help="list notices kept for reconciliation, newest first"
        )
        unmatched.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = [notice_row(notice) for notice in notices_unmatched().iterator(chunk_size=1000)]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("No unmatched payments.")
            return
        for row in rows:
            self.stdout.write(
                f"#{row['id']} {row['provider']}:{row['transaction_id']}"
                f"  loan {row['loan_id'] or '-'}  {row['amount']} yuan"
                f"  paid {row['paid_at']}  {row['reason']}  received {row['received_at']}"
            )
        self.stdout.write(f"{len(rows)} unmatched payment(s).")
