"""``arrears insights kpis --month YYYY-MM [--creditor NAME] [--team NAME] [--json]``: aging
at the month end and the month's collection KPIs."""

from __future__ import annotations

from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper
from django.utils.translation import gettext as _

from arrears.accounts.models import Team
from arrears.core.errors import NotFound
from arrears.insights.kpis import month_kpis
from arrears.insights.kpis_options import (
    add_creditor_and_json,
    creditor_ids_from,
    json_write,
    month_option,
    rate_text,
)


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``kpis`` subcommand to ``arrears insights``."""
    parser = actions.add_parser(
        "kpis",
        help="aging and collection KPIs of a month",
        description=(
            "Aging at the month end (active loans by bucket), cure rate, recovery, promise"
            " kept rate, right-party-contact rate, and contacts, promises and money collected"
            " per collector and team (docs/insights.md defines each)."
        ),
    )
    parser.add_argument(
        "--month", metavar="YYYY-MM", help="the month (default: the last one the cycle closed)"
    )
    parser.add_argument("--team", metavar="NAME", help="only the cases this team held")
    add_creditor_and_json(parser)
    parser.set_defaults(run=run)


def run(options: dict[str, Any], stdout: OutputWrapper) -> int | None:
    """Print the month's KPIs as JSON or as text tables."""
    month = month_option(options, "month", "--month")
    team_id = None
    if options.get("team"):
        team = Team.objects.filter(name=options["team"].strip()).first()
        if team is None:
            raise NotFound(_("No team called '%(name)s'.") % {"name": options["team"]})
        team_id = team.pk
    report = month_kpis(month, creditor_ids=creditor_ids_from(options), team_id=team_id)
    if options["json"]:
        json_write(stdout, report)
        return None
    for line in kpis_lines(report):
        stdout.write(line)
    return None


def kpis_lines(report: dict[str, Any]) -> list[str]:
    """The text form of ``month_kpis``'s report."""
    lines = [f"Month {report['month']}: aging at {report['as_of']}"]
    lines.append(f"  {'bucket':<8}{'loans':>10}{'principal':>18}")
    for bucket, cell in report["aging"].items():
        lines.append(f"  {bucket:<8}{cell['loans']:>10}{cell['principal']:>18}")
    start = report["start"]
    base = report["delinquent_at_start"]
    lines += [
        f"Cure rate          {rate_text(report['cure_rate']):>9}"
        f"  ({report['cured']['loans']} of {base['loans']} loans past due at {start})",
        f"Recovery           {rate_text(report['recovery']):>9}"
        f"  ({report['recovered']} of {report['overdue_at_start']} overdue at {start})",
        f"Promise kept rate  {rate_text(report['promise_kept_rate']):>9}"
        f"  ({report['promises_kept']} of {report['promises_due']} promises due)",
        f"RPC rate           {rate_text(report['rpc_rate']):>9}"
        f"  ({report['right_party_contacts']} of {report['contacts']} contacts)",
        f"Collected on cases {report['collected']:>9}"
        f"  (held by no team: {report['unassigned_collected']})",
        "Collectors",
        f"  {'user':<16}{'team':<16}{'contacts':>9}{'promises':>9}{'collected':>14}",
    ]
    for row in report["collectors"]:
        lines.append(
            f"  {row['user']:<16}{row['team']:<16}{row['contacts']:>9}{row['promises']:>9}"
            f"{row['collected']:>14}"
        )
    lines.append("Teams")
    for row in report["teams"]:
        lines.append(f"  {row['team']:<32}{row['collected']:>14}")
    return lines
