"""Options the ``arrears insights`` table commands share: the creditor, months, JSON."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import OutputWrapper
from django.utils.translation import gettext as _

from arrears.core.errors import InvalidInput, NotFound
from arrears.insights.calculations.months import month_end, month_first, months_later, parse_month
from arrears.insights.kpis_history import history_span
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


def closed_months() -> tuple[date, date]:
    """The first and the last month whose end the cycle closed, as their first days (the
    first one's previous month end may be missing); ``InvalidInput`` before any."""
    span = history_span()
    if span is None:
        raise InvalidInput(_("The cycle has closed no day yet: there are no months to show."))
    first, last = span
    first_month = (
        month_first(first) if month_end(first) == first else months_later(month_first(first), 1)
    )
    last_month = (
        month_first(last) if month_end(last) == last else months_later(month_first(last), -1)
    )
    if first_month > last_month:
        raise InvalidInput(_("The cycle has closed no month end yet."))
    return first_month, last_month


def month_option(options: dict[str, Any], key: str, flag: str) -> date:
    """The month in ``options[key]`` as its first day (when not given: the last month whose
    end the cycle closed); ``InvalidInput`` naming ``flag``."""
    if not options.get(key):
        return closed_months()[1]
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
