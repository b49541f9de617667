"""``arrears case LOAN_ID [--json]``: the loan's case, its playbook, stage, arm, holds,
actions and propensity-to-pay score; and a manager's acts on it, each with a reason:

    arrears case L1 --pause --reason "客户住院" --by manager [--until 2026-08-01]
    arrears case L1 --resume --reason "已出院" --by manager
    arrears case L1 --move consumer-loan [--stage escalate] --reason "…" --by manager
    arrears case L1 --add-action call --target guarantor --date 2026-07-10 --reason "…" --by manager
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from arrears.core.commands import DataCommand
from arrears.core.errors import ArrearsError
from arrears.cycle.models import CycleRun
from arrears.insights.scoring.selectors import case_score
from arrears.outreach.selectors import case_overview
from arrears.outreach.services import outbox_cancel_for_case
from arrears.portfolio.management.cli import (
    add_creditor_argument,
    parse_business_date,
    resolve_loan,
)
from arrears.strategy import services
from arrears.strategy.choices import ActionType, TargetRole
from arrears.strategy.selectors import case_current


def _business_today() -> date:
    latest = CycleRun.objects.order_by("-business_date").values_list("business_date", flat=True)
    return latest.first() or date.today()


class Command(DataCommand):
    help = "Show a loan's collection case and its plan, or pause, resume, move it, add an action."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("loan_id", metavar="LOAN_ID")
        parser.add_argument("--json", action="store_true", help="print JSON")
        add_creditor_argument(parser)
        acts = parser.add_mutually_exclusive_group()
        acts.add_argument("--pause", action="store_true", help="stop planning for the case")
        acts.add_argument("--resume", action="store_true", help="plan for the case again")
        acts.add_argument("--move", metavar="PLAYBOOK", help="put the case on this playbook")
        acts.add_argument(
            "--add-action", choices=ActionType.values, metavar="TYPE", help="a one-off action"
        )
        parser.add_argument("--stage", default="", help="with --move: the stage to put it in")
        parser.add_argument("--until", metavar="DATE", help="with --pause: last paused day")
        parser.add_argument("--target", choices=TargetRole.values, default="borrower")
        parser.add_argument("--date", metavar="DATE", help="business date (default: the cycle's)")
        parser.add_argument("--title", default="", help="with --add-action: what to do")
        parser.add_argument("--template", default="")
        parser.add_argument("--queue", default="")
        parser.add_argument("--reason", default="", help="why (required for every act)")
        parser.add_argument("--by", default="", help="who acts (required for every act)")

    def handle(self, *args: Any, **options: Any) -> None:
        loan = resolve_loan(options, stdout=self.stdout)
        acting = options["pause"] or options["resume"] or options["move"] or options["add_action"]
        if acting:
            self._act(loan, options)
        overview = case_overview(loan)
        # The propensity to pay (insights): {"value", "grade", "reasons"}, or null.
        overview["score"] = case_score(overview["case"]["id"]) if overview["case"] else None
        if options["json"]:
            self.stdout.write(json.dumps(overview, ensure_ascii=False, indent=2))
            return
        self._print(overview)

    def _act(self, loan: Any, options: dict[str, Any]) -> None:
        if not options["by"].strip():
            raise CommandError("--by: say who acts", returncode=2)
        case = case_current(loan)
        if case is None:
            raise CommandError(f"loan {loan.loan_id} has no collection case", returncode=2)
        on = (
            parse_business_date(options["date"], "--date") if options["date"] else _business_today()
        )
        common = {"case": case, "on": on, "reason": options["reason"], "by": options["by"]}
        try:
            if options["pause"]:
                until = (
                    parse_business_date(options["until"], "--until") if options["until"] else None
                )
                with transaction.atomic():
                    services.case_pause(**common, until=until)
                    outbox_cancel_for_case(case_id=case.pk)
            elif options["resume"]:
                services.case_resume(**common)
            elif options["move"]:
                with transaction.atomic():
                    services.case_move(**common, playbook=options["move"], stage=options["stage"])
                    outbox_cancel_for_case(case_id=case.pk)
            else:
                services.case_action_add(
                    **common,
                    type=options["add_action"],
                    target_role=options["target"],
                    title=options["title"],
                    template=options["template"],
                    queue=options["queue"],
                )
        except ArrearsError as exc:
            raise CommandError(str(exc), returncode=2) from exc

    def _print(self, overview: dict[str, Any]) -> None:
        case = overview["case"]
        if case is None:
            self.stdout.write(f"{overview['loan_id']}: no collection case")
            return
        self.stdout.write(
            f"{overview['loan_id']}: case {case['status']} since {case['opened_on']},"
            f" DPD {case['dpd']} ({case['bucket']})"
        )
        if overview["playbook"]:
            paused = " — paused" if overview["paused"] else ""
            arm = f", arm {overview['arm']}" if overview["arm"] else ""
            self.stdout.write(
                f"  playbook {overview['playbook']} v{overview['version']},"
                f" stage {overview['stage'] or '-'}{arm}{paused}"
            )
        score = overview.get("score")
        if score:
            why = "; ".join(
                f"{reason['label']} {'+' if reason['effect'] > 0 else ''}{reason['effect']}"
                for reason in score["reasons"]
            )
            self.stdout.write(f"  score {score['value']:.2f} grade {score['grade']}: {why}")
        for hold in overview["holds"]:
            self.stdout.write(f"  hold {hold['kind']} {hold['channel']}: {hold['reason']}")
        for action in overview["actions"]:
            why = f" ({'; '.join(action['blocked_reasons'])})" if action["blocked_reasons"] else ""
            self.stdout.write(
                f"  {action['date']} {action['status']:<9} {action['type']} → "
                f"{action['target_role']}: {action['rule']}{why}"
            )
