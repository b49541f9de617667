"""``arrears loan LOAN_ID [--as-of D] [--json]``: a loan's terms, parties and state on a date."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.utils import timezone

from arrears.core.commands import DataCommand
from arrears.core.money import format_yuan, parse_yuan
from arrears.cycle.report import cycle_report
from arrears.cycle.selectors import stored_state
from arrears.portfolio.loan_report import NOT_DISBURSED, loan_report
from arrears.portfolio.management.cli import (
    add_creditor_argument,
    parse_business_date,
    resolve_loan,
)
from arrears.portfolio.selectors import loan_state
from arrears.transfers.selectors import loan_assignment


class Command(DataCommand):
    help = "Show a loan: terms, parties (masked), schedule and state on a business date."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("loan_id")
        parser.add_argument(
            "--as-of",
            metavar="DATE",
            help="replay the loan for this business date (default: the state the last cycle"
            " stored, or today's replay before any cycle)",
        )
        add_creditor_argument(parser)
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        loan = resolve_loan(options, stdout=self.stdout)
        stored = None if options["as_of"] else stored_state(loan)
        if stored is not None and stored.position.payments_version != loan.payments_version:
            # Money arrived since the last cycle (the payments API, a notice, a match): the
            # stored position is stale, so show the replay now, as the case page does; the
            # next cycle stores the same figures.
            today = max(stored.cycle_date, timezone.localdate())
            report = {
                **loan_report(loan, loan_state(loan, as_of=today)),
                **cycle_report(stored),
                "replayed_since_cycle": True,
            }
        elif stored is not None:
            report = {**loan_report(loan, stored.state), **cycle_report(stored)}
        else:
            as_of = (
                parse_business_date(options["as_of"], "--as-of")
                if options["as_of"]
                else timezone.localdate()
            )
            report = loan_report(loan, loan_state(loan, as_of=as_of))
        # The latest assignment of debts (债权转让), with the borrower's notice: transfers.
        report["assignment"] = loan_assignment(loan)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self._print(report)

    def _print(self, report: dict[str, Any]) -> None:
        terms = report["terms"]
        out = self.stdout.write
        out(f"Loan {report['loan_id']} · {report['creditor']} · as of {report['as_of']}")
        if report["status"] == NOT_DISBURSED:
            out(
                f"  not yet disbursed on {report['as_of']}: it is disbursed on "
                f"{report['terms']['disbursed_on']}, nothing is owed before then"
            )
        if "cycle_date" in report:
            case = report["case"]
            case_text = (
                f"case {case['status']} since {case['opened_on']} (entry DPD {case['entry_dpd']},"
                f" worst {case['worst_dpd']})"
                if case
                else "no case"
            )
            out(
                f"  stored by the cycle of {report['cycle_date']} · {report['classification']}"
                f" · limitation expires {report['limitation_expires_on'] or '-'} · {case_text}"
            )
        out(
            f"  {terms['principal']} {terms['currency']} at {terms['annual_rate']} a year, "
            f"{terms['term_months']} months, {terms['repayment_method']}, "
            f"disbursed {terms['disbursed_on']}"
        )
        for party in report["parties"]:
            phones = ", ".join(p["value"] for p in party["phones"]) or "-"
            out(f"  {party['role']}: {party['name']} ({party['id_number']}) {phones}")
        for item in report.get("guarantees", []):
            preserved = f" on {item['preserved_on']}" if item["preserved_on"] else ""
            ending = " · ending within 30 days" if item["ending"] else ""
            out(
                f"  guarantee of {item['party']} ({item['role']}, {item['kind']}): period ends"
                f" {item['period_ends_on'] or '-'} · {item['status']}{preserved}{ending}"
            )
        overdue = report["overdue"]
        out(
            f"  DPD {report['dpd']} ({report['bucket']}) · overdue principal "
            f"{overdue['principal']}, interest {overdue['interest']}, fees {overdue['fees']}, "
            f"penalty {overdue['penalty']} · penalty accrued {report['penalty_accrued']} · "
            f"credit {report['credit_balance']} · principal outstanding "
            f"{report['principal_outstanding']}"
        )
        out(f"  {'#':>3} {'due on':<10} {'due':>12} {'paid':>12} {'outstanding':>12}")
        for item in report["schedule"]:
            total = {
                key: format_yuan(sum(parse_yuan(v) for v in item[key].values()))
                for key in ("due", "paid", "outstanding")
            }
            mark = " overdue" if item["overdue"] else ""
            out(
                f"  {item['seq']:>3} {item['due_on']:<10} {total['due']:>12} "
                f"{total['paid']:>12} {total['outstanding']:>12}{mark}"
            )
