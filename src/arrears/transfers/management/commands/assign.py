"""``arrears assign``: assign debts to another creditor (债权转让), and list the receipts
the old creditor must hand over.

arrears assign --loan ID [--loan ID …] [--loans FILE] --to CREDITOR --on D
               [--price YUAN] [--from CREDITOR] [--json]
arrears assign --handovers [--from CREDITOR] [--json]

``--loans FILE`` holds loan ids one a line, or a CSV with a ``loan_id`` column. Nothing moves
unless every loan may (every refusal is listed with its loan ids, exit 2).
"""

from __future__ import annotations

import csv
import getpass
import io
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from arrears.core.commands import DataCommand
from arrears.core.dates import parse_date
from arrears.core.errors import ArrearsError, InvalidInput
from arrears.core.money import format_yuan, parse_yuan
from arrears.portfolio.models import Creditor
from arrears.transfers.selectors import handovers
from arrears.transfers.services import assignment_make


def read_loan_ids(path: Path) -> list[str]:
    """The loan ids of a file: a CSV with a ``loan_id`` column, or one id a line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            _("cannot read %(path)s: %(error)s") % {"path": path, "error": exc}, field="loans"
        ) from exc
    first = text.split("\n", 1)[0]
    if "loan_id" in [cell.strip() for cell in first.split(",")]:
        rows = csv.DictReader(io.StringIO(text))
        return [row["loan_id"].strip() for row in rows if (row.get("loan_id") or "").strip()]
    return [line.strip() for line in text.splitlines() if line.strip()]


def _who() -> str:
    """The account running the command, for the record (empty when it cannot be told)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


class Command(DataCommand):
    help = (
        "Assign loans to another creditor from a date (债权转让), keeping their history, and"
        " queue the assignment notices; or list the old creditor's receipts to hand over."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--loan", action="append", default=[], metavar="ID", help="a loan id (repeatable)"
        )
        parser.add_argument(
            "--loans",
            metavar="FILE",
            help="a file of loan ids: one a line, or a CSV column loan_id",
        )
        parser.add_argument("--to", metavar="CREDITOR", help="the assignee (created on first use)")
        parser.add_argument("--on", metavar="DATE", help="the business date the loans move on")
        parser.add_argument("--price", metavar="YUAN", help="the price paid for the loans")
        parser.add_argument(
            "--from",
            dest="from_creditor",
            metavar="CREDITOR",
            help="the creditor the loans must be of (with --handovers: whose receipts)",
        )
        parser.add_argument(
            "--handovers",
            action="store_true",
            help="list payments the old creditor recorded after the borrower's notice was sent",
        )
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["handovers"]:
                self._handovers(options)
            else:
                self._assign(options)
        except ArrearsError as exc:
            raise CommandError(str(exc), returncode=2) from exc

    def _assign(self, options: dict[str, Any]) -> None:
        refs = list(options["loan"])
        if options["loans"]:
            refs += read_loan_ids(Path(options["loans"]))
        missing = [
            name
            for name, given in (("--loan or --loans", refs), ("--to", options["to"]),
                                ("--on", options["on"]))
            if not given
        ]  # fmt: skip
        if missing:
            raise InvalidInput(_("missing: %(options)s") % {"options": ", ".join(missing)})
        try:
            on = parse_date(options["on"])
        except ValueError as exc:
            raise InvalidInput(f"--on: {exc}", field="on") from exc
        price = None
        if options["price"]:
            try:
                price = parse_yuan(options["price"])
            except ValueError as exc:
                raise InvalidInput(f"--price: {exc}", field="price") from exc
        made = assignment_make(
            refs=refs,
            to=options["to"],
            on=on,
            price=price,
            from_creditor=options["from_creditor"],
            by=_who(),
        )
        answer = {
            "assignment_id": made.assignment_id,
            "to": made.to,
            "on": made.on.isoformat(),
            "loans": made.loans,
            "balance": format_yuan(made.balance),
            "price": format_yuan(made.price) if made.price is not None else None,
            "cases": made.cases,
            "notices": made.notices,
        }
        if options["json"]:
            self.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            _(
                "Assignment %(id)s: %(loans)s loans (balance %(balance)s) to %(to)s from %(on)s;"
                " %(cases)s cases moved, %(notices)s notices queued."
            )
            % {**answer, "id": made.assignment_id}
        )

    def _handovers(self, options: dict[str, Any]) -> None:
        creditor = None
        if options["from_creditor"]:
            creditor = Creditor.objects.filter(name=options["from_creditor"].strip()).first()
            if creditor is None:
                raise InvalidInput(
                    _("no creditor called '%(name)s'") % {"name": options["from_creditor"]},
                    field="from",
                )
        found = [h.as_dict() for h in handovers(received_by=creditor)]
        if options["json"]:
            self.stdout.write(json.dumps(found, ensure_ascii=False, indent=2))
            return
        if not found:
            self.stdout.write(_("No receipts to hand over."))
            return
        for row in found:
            self.stdout.write(
                _(
                    "%(received_by)s received %(amount)s on %(paid_on)s for loan %(loan_id)s"
                    " (payment %(payment_id)s), after the notice of %(notice_sent_on)s:"
                    " hand over to %(assigned_to)s"
                )
                % row
            )
