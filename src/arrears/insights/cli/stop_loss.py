"""``arrears insights stop-loss [--week YYYY-MM-DD] [--creditor NAME] [--json]``: the open
cases whose expected recovery (score × balance) is below the cost to collect them."""

from __future__ import annotations

from argparse import _SubParsersAction
from datetime import date
from typing import Any

from django.core.management.base import OutputWrapper
from django.utils import timezone

from arrears.cases.models import CollectionCase
from arrears.core.errors import InvalidInput
from arrears.insights.kpis_options import add_creditor_and_json, creditor_ids_from, json_write
from arrears.insights.stop_loss import stop_loss_cases, stop_loss_report, week_of


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``stop-loss`` subcommand to ``arrears insights``."""
    parser = actions.add_parser(
        "stop-loss",
        help="the week's stop-loss list: expected recovery below the cost to collect",
        description=(
            "Open cases whose score × balance is below the cost of a month more of"
            " collection (ARREARS_CHANNEL_COSTS × 8 calls, 8 SMS, a letter and a visit)."
        ),
    )
    parser.add_argument("--week", metavar="YYYY-MM-DD", help="any day of the week (default: today)")
    add_creditor_and_json(parser)
    parser.set_defaults(run=run)


def _week(text: str | None) -> date:
    if not text:
        return week_of(timezone.localdate())
    try:
        return week_of(date.fromisoformat(text.strip()))
    except ValueError as error:
        raise InvalidInput(f"--week: '{text}' is not a date (YYYY-MM-DD)", field="week") from error


def run(options: dict[str, Any], stdout: OutputWrapper) -> int | None:
    """Print the list as JSON or one line per case."""
    week = _week(options.get("week"))
    cases = CollectionCase.objects.all()
    creditor_ids = creditor_ids_from(options)
    if creditor_ids is not None:
        cases = cases.filter(creditor_id__in=creditor_ids)
    report = stop_loss_report(stop_loss_cases(week=week, cases=cases), week)
    if options["json"]:
        json_write(stdout, report)
        return None
    stdout.write(
        f"Stop-loss list, week of {report['week']} (cost to collect {report['cost_to_collect']})"
    )
    stdout.write(
        f"  {'case':>8}  {'loan':<16}{'bucket':<7}{'balance':>14}{'score':>8}{'expected':>12}"
    )
    for row in report["cases"]:
        stdout.write(
            f"  {row['case']:>8}  {row['loan']:<16}{row['bucket']:<7}{row['balance']:>14}"
            f"{row['score']:>8.4f}{row['expected_recovery']:>12}"
            + (f"  kept: {row['kept']}" if row["kept"] else "")
        )
    if not report["cases"]:
        stdout.write("No case costs more to collect than it is expected to bring.")
    return None
