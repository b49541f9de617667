"""``arrears legal matter``: open a matter, record its events and costs, close it, show it.

arrears legal matter open LOAN --kind lawsuit --court "深圳市南山区人民法院" --on 2026-11-02
arrears legal matter event 7 --kind served --on 2026-11-20
arrears legal matter cost 7 --kind court_fee --amount 1050 --on 2026-11-03
arrears legal matter close 7 --outcome recovered --on 2026-12-01
arrears legal matter show 7 [--json]
arrears legal matter list [--loan LOAN] [--open] [--json]
"""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper

from arrears.core.errors import InvalidInput, NotFound
from arrears.core.money import parse_yuan
from arrears.legal.choices import CostKind, MatterEventKind, MatterKind, MatterOutcome
from arrears.legal.models import Matter
from arrears.legal.selectors import matter_report, matters_in_scope
from arrears.legal.services import (
    matter_close,
    matter_cost_record,
    matter_event_record,
    matter_open,
)
from arrears.portfolio.management.cli import (
    add_creditor_argument,
    parse_business_date,
    resolve_loan,
)
from arrears.portfolio.selectors import loan_get


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add ``matter`` and its actions."""
    parser = actions.add_parser("matter", help="legal matters: open, events, costs, close")
    verbs = parser.add_subparsers(dest="verb", required=True)

    opening = verbs.add_parser("open", help="open a matter for a loan")
    opening.add_argument("loan_id")
    opening.add_argument("--kind", required=True, choices=MatterKind.values)
    opening.add_argument("--on", required=True, metavar="DATE", help="sent or filed on")
    opening.add_argument("--court", default="", help="the court (人民法院) or, for a letter, firm")
    opening.add_argument("--case-number", default="", help="the court's case number (案号)")
    opening.add_argument(
        "--also", action="append", default=[], metavar="LOAN", help="another loan of the borrower"
    )
    opening.add_argument("--parent", type=int, metavar="ID", help="the matter this one follows")
    opening.add_argument("--notes", default="")
    opening.add_argument("--json", action="store_true", help="print JSON")
    add_creditor_argument(opening)
    opening.set_defaults(run=_open)

    event = verbs.add_parser("event", help="record what happened to a matter")
    event.add_argument("matter_id", type=int)
    event.add_argument("--kind", required=True, choices=MatterEventKind.values)
    event.add_argument("--on", required=True, metavar="DATE")
    event.add_argument("--amount", metavar="YUAN", help="money recovered (kind recovered)")
    event.add_argument("--outcome", default="", help="with a judgment: won, partly_won, lost")
    event.add_argument("--note", default="")
    event.add_argument("--json", action="store_true", help="print the matter as JSON")
    event.set_defaults(run=_event)

    cost = verbs.add_parser("cost", help="record money spent on a matter")
    cost.add_argument("matter_id", type=int)
    cost.add_argument("--kind", required=True, choices=CostKind.values)
    cost.add_argument("--amount", required=True, metavar="YUAN")
    cost.add_argument("--on", required=True, metavar="DATE")
    cost.add_argument(
        "--not-recoverable", action="store_true", help="the creditor bears it (not claimed)"
    )
    cost.add_argument("--note", default="")
    cost.set_defaults(run=_cost)

    close = verbs.add_parser("close", help="close a matter with its outcome")
    close.add_argument("matter_id", type=int)
    close.add_argument(
        "--outcome",
        required=True,
        choices=[v for v in MatterOutcome.values if v != MatterOutcome.PENDING],
    )
    close.add_argument("--on", required=True, metavar="DATE")
    close.set_defaults(run=_close)

    show = verbs.add_parser("show", help="a matter with its events, costs and deadlines")
    show.add_argument("matter_id", type=int)
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(run=_show)

    listing = verbs.add_parser("list", help="matters, newest first")
    listing.add_argument("--loan", metavar="LOAN", help="only this loan's")
    listing.add_argument("--open", action="store_true", help="only open matters")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=_list)


def _matter(matter_id: int) -> Matter:
    matter = Matter.objects.filter(pk=matter_id).select_related("loan").first()
    if matter is None:
        raise NotFound(f"no legal matter #{matter_id}")
    return matter


def _amount(text: str | None, option: str) -> int:
    if text is None:
        return 0
    try:
        return parse_yuan(text)
    except ValueError as exc:
        raise InvalidInput(f"{option}: {exc}", field=option) from exc


def _print(matter: Matter, options: dict[str, Any], stdout: OutputWrapper) -> None:
    report = matter_report(matter)
    if options.get("json"):
        stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        return
    stdout.write(
        f"Matter #{report['id']} {report['kind']} ({report['status']}, {report['outcome']})"
        f" · loans {', '.join(report['loans'])} · {report['court'] or '-'}"
        f" {report['case_number']}".rstrip()
    )
    stdout.write(f"  opened {report['opened_on']} · claim {report['claim_amount']} yuan")
    for item in report["events"]:
        stdout.write(f"  {item['on']} {item['kind']} {item['note']}".rstrip())
    for item in report["costs"]:
        stdout.write(f"  cost {item['on']} {item['kind']} {item['amount']} yuan")
    for item in report["deadlines"]:
        stdout.write(f"  due {item['due_on']} {item['kind']}: {item['rule']}")


def _open(options: dict[str, Any], stdout: OutputWrapper) -> None:
    loan = resolve_loan(options, stdout=stdout)
    also = [loan_get(loan_id=other, creditor=loan.creditor) for other in options["also"]]
    parent = _matter(options["parent"]) if options.get("parent") else None
    matter = matter_open(
        loan=loan,
        kind=options["kind"],
        on=parse_business_date(options["on"], "--on"),
        court=options["court"],
        case_number=options["case_number"],
        also=also,
        parent=parent,
        notes=options["notes"],
    )
    _print(matter, options, stdout)


def _event(options: dict[str, Any], stdout: OutputWrapper) -> None:
    matter = _matter(options["matter_id"])
    matter_event_record(
        matter=matter,
        kind=options["kind"],
        on=parse_business_date(options["on"], "--on"),
        amount=_amount(options["amount"], "--amount"),
        outcome=options["outcome"],
        note=options["note"],
    )
    _print(_matter(matter.pk), options, stdout)


def _cost(options: dict[str, Any], stdout: OutputWrapper) -> None:
    matter = _matter(options["matter_id"])
    cost = matter_cost_record(
        matter=matter,
        kind=options["kind"],
        amount=_amount(options["amount"], "--amount"),
        on=parse_business_date(options["on"], "--on"),
        recoverable=not options["not_recoverable"],
        note=options["note"],
    )
    claimed = "claimed from the debtor" if cost.recoverable else "borne by the creditor"
    stdout.write(
        f"Recorded {cost.kind} of {options['amount']} yuan on matter #{matter.pk} ({claimed})."
    )


def _close(options: dict[str, Any], stdout: OutputWrapper) -> None:
    matter = matter_close(
        matter=_matter(options["matter_id"]),
        outcome=options["outcome"],
        on=parse_business_date(options["on"], "--on"),
    )
    stdout.write(f"Closed matter #{matter.pk} ({matter.outcome}) on {matter.closed_on}.")


def _show(options: dict[str, Any], stdout: OutputWrapper) -> None:
    _print(_matter(options["matter_id"]), options, stdout)


def _list(options: dict[str, Any], stdout: OutputWrapper) -> None:
    matters = matters_in_scope()
    if options.get("loan"):
        matters = matters.filter(matter_loans__loan__loan_id=options["loan"])
    if options["open"]:
        matters = matters.filter(status="open")
    rows = [matter_report(matter) for matter in matters[:1000]]
    if options["json"]:
        stdout.write(json.dumps({"matters": rows}, ensure_ascii=False, indent=2))
        return
    for row in rows:
        stdout.write(
            f"#{row['id']:<5} {row['opened_on']} {row['kind']:<14} {row['status']:<6}"
            f" {','.join(row['loans'])} {row['court']}".rstrip()
        )
    if not rows:
        stdout.write("No legal matters.")
