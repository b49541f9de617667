"""``arrears insights recovery [--creditor NAME] [--json]``: recovery curves of cases
entering a bucket and of legal matters, by months since entry."""

from __future__ import annotations

from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper

from arrears.insights.kpis_options import (
    add_creditor_and_json,
    creditor_ids_from,
    json_write,
    rate_text,
)
from arrears.insights.recovery import recovery_curves


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``recovery`` subcommand to ``arrears insights``."""
    parser = actions.add_parser(
        "recovery",
        help="recovery curves by months since entering a bucket or going to law",
        description=(
            "Cumulative money collected ÷ principal outstanding at entry, for the cases"
            " entering each bucket in a month and the legal matters opened in a month, by"
            " months since entry (0: by the end of the entry month)."
        ),
    )
    add_creditor_and_json(parser)
    parser.set_defaults(run=run)


def run(options: dict[str, Any], stdout: OutputWrapper) -> int | None:
    """Print the curves as JSON or as one line per cohort and month."""
    report = recovery_curves(creditor_ids=creditor_ids_from(options))
    if options["json"]:
        json_write(stdout, report)
        return None
    stdout.write(
        f"  {'kind':<7}{'cohort':<9}{'bucket':<7}{'months':>7}{'cases':>7}"
        f"{'balance':>16}{'collected':>16}{'rate':>9}"
    )
    for row in report["rows"]:
        stdout.write(
            f"  {row['kind']:<7}{row['cohort']:<9}{row['bucket'] or '-':<7}{row['months']:>7}"
            f"{row['cases']:>7}{row['balance']:>16}{row['collected']:>16}"
            f"{rate_text(row['rate']):>9}"
        )
    if not report["rows"]:
        stdout.write("No month end stored yet.")
    return None
