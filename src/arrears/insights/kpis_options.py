"""Options the ``arrears insights`` table commands share: the creditor, months, JSON."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import OutputWrapper
from django.utils.translation import gettext as _

from arrears.core.errors import InvalidInput, NotFound
from arrears.insights.calculations.months import parse_month
from arrears.portfolio.models import Creditor


def add_creditor_and_json(parser: ArgumentParser) -> None:
    """``--creditor NAME`` (default: every creditor) and ``--json``."""
    parser.add_argument(
        "--creditor", metavar="NAME", help="one creditor's portfolio (default: all of them)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def creditor_ids_from(options: dict[str, Any]) -> list[int] | None:
    """The ids ``--creditor`` names (None: every creditor); ``NotFound`` for an unknown one."""
    name = (options.get("creditor") or "").strip()
    if not name:
        return None
    found = list(Creditor.objects.filter(name=name).values_list("pk", flat=True))
    if not found:
        raise NotFound(_("No creditor called '%(name)s'.") % {"name": name})
    return found


def month_option(options: dict[str, Any], key: str, flag: str) -> date:
    """The month in ``options[key]`` as its first day; ``InvalidInput`` naming ``flag``."""
    try:
        return parse_month(options[key])
    except ValueError:
        raise InvalidInput(
            _("%(flag)s: '%(value)s' is not a month (YYYY-MM).")
            % {"flag": flag, "value": options[key]},
            field=key,
        ) from None


def json_write(stdout: OutputWrapper, data: Any) -> None:
    """Print ``data`` as the JSON the functions return, Chinese left readable."""
    stdout.write(json.dumps(data, ensure_ascii=False, indent=2))


def rate_text(value: float | None) -> str:
    """A rate for the text tables: ``0.2500`` → ``25.00%``, unknown → ``-``."""
    return "-" if value is None else f"{value * 100:.2f}%"
