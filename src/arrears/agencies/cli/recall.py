"""``arrears agency recall (CASE | --agency AGENCY) [--reason R] [--note T] [--on D]``:
take a case, or every case of an agency, back."""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper

from arrears.agencies.choices import PlacementStatus, RecallReason
from arrears.agencies.cli.common import acting_user, case_of, day_option
from arrears.agencies.models import Placement
from arrears.agencies.selectors import agency_by_code
from arrears.agencies.services import agency_recall_all, placement_recall
from arrears.core.errors import InvalidInput


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``recall`` subcommand to ``arrears agency``."""
    parser = actions.add_parser(
        "recall",
        help="recall a placed case (or all of an agency's) from the agency",
        description="End the active placement of CASE (a case number or loan id), or with"
        " --agency every active placement of that agency (e.g. after a compliance breach),"
        " on --on (default today): payments from that day on are no longer the agency's."
        " Reasons: manual (default), breach, paid, end_of_term.",
    )
    parser.add_argument("case", metavar="CASE", nargs="?", help="case number or loan id")
    parser.add_argument("--agency", metavar="AGENCY", help="recall every case of this agency")
    parser.add_argument("--reason", default=RecallReason.MANUAL.value, choices=RecallReason.values)
    parser.add_argument("--note", default="", help="why, for the audit")
    parser.add_argument("--on", metavar="DATE", help="recall day (default: today)")
    parser.add_argument("--by", metavar="USER", help="username the audit names")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def run(options: dict[str, Any], stdout: OutputWrapper) -> None:
    """Recall and list what was recalled."""
    on = day_option(options.get("on"), "--on")
    by = acting_user(options)
    if bool(options.get("case")) == bool(options.get("agency")):
        raise InvalidInput("give either CASE or --agency AGENCY", field="case")
    if options.get("agency"):
        done = agency_recall_all(
            agency=agency_by_code(options["agency"]),
            on=on,
            reason=options["reason"],
            by=by,
            note=options["note"],
        )
    else:
        case = case_of(options["case"])
        active = Placement.objects.filter(case=case, status=PlacementStatus.ACTIVE).first()
        if active is None:
            raise InvalidInput(f"case {case.pk} is not placed with an agency", field="case")
        done = [
            placement_recall(
                placement=active, on=on, reason=options["reason"], by=by, note=options["note"]
            )
        ]
    rows = [
        {"placement": p.pk, "case": p.case_id, "recalled_on": on.isoformat(), "status": p.status}
        for p in done
    ]
    if options["json"]:
        stdout.write(json.dumps({"recalled": rows}, ensure_ascii=False, indent=2))
        return
    stdout.write(f"{len(rows)} placement(s) recalled on {on.isoformat()}")
    for row in rows:
        stdout.write(f"  case {row['case']}: {row['status']}")
