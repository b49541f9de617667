"""Pieces shared by the portfolio's commands: choosing a creditor, parsing dates, progress."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import CommandError, OutputWrapper

from arrears.core.dates import parse_date
from arrears.core.errors import ArrearsError
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.selectors import creditor_choose, creditor_names, loan_get
from arrears.portfolio.services import creditor_get_or_create


def add_creditor_argument(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--creditor",
        metavar="NAME",
        help="whose portfolio (default: the only creditor; asked for when there are several)",
    )


def resolve_creditor(options: dict[str, Any], *, create: bool, stdout: OutputWrapper) -> Creditor:
    """The creditor a command works on; with several and a terminal, the user picks one."""
    name = options.get("creditor")
    try:
        if name and create:
            return creditor_get_or_create(name=name)
        return creditor_choose(name)
    except ArrearsError as exc:
        names = creditor_names()
        if name or len(names) < 2 or not sys.stdin.isatty():
            raise CommandError(str(exc), returncode=2) from exc
    for number, choice in enumerate(names, start=1):
        stdout.write(f"  {number}. {choice}\n")
    answer = input("Which creditor? (number or name) ").strip()
    if answer.isdigit() and 1 <= int(answer) <= len(names):
        answer = names[int(answer) - 1]
    try:
        return creditor_choose(answer)
    except ArrearsError as exc:
        raise CommandError(str(exc), returncode=2) from exc


def resolve_loan(options: dict[str, Any], *, stdout: OutputWrapper) -> Loan:
    """The loan ``options["loan_id"]`` names (of ``--creditor`` when given), or exit 2."""
    creditor: Creditor | None = None
    if options.get("creditor"):
        creditor = resolve_creditor(options, create=False, stdout=stdout)
    try:
        return loan_get(loan_id=options["loan_id"], creditor=creditor)
    except ArrearsError as exc:
        raise CommandError(str(exc), returncode=2) from exc


def parse_business_date(text: str, option: str) -> date:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}", returncode=2) from exc
