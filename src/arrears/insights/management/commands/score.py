"""``arrears score``: the propensity-to-pay model's versions.

    arrears score train --as-of 2026-12-07 [--json]   learn a version, measure it, activate it
    arrears score list [--json]                       every version with its metrics
    arrears score rollback VERSION [--json]           make an older (or newer) version active

The cycle's ``score`` step scores every open case with the active version.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from arrears.core.commands import DataCommand
from arrears.core.errors import ArrearsError, InvalidInput
from arrears.insights.scoring.selectors import model_summary, models_list, score_status_line
from arrears.portfolio.management.cli import parse_business_date


class Command(DataCommand):
    help = "The propensity-to-pay model: train a version, list versions, roll back."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        train = actions.add_parser("train", help="learn a version from the stored history")
        train.add_argument("--as-of", required=True, metavar="DATE", help="business date")
        train.add_argument("--json", action="store_true", help="print JSON")
        listing = actions.add_parser("list", help="every version, newest first")
        listing.add_argument("--json", action="store_true", help="print JSON")
        rollback = actions.add_parser("rollback", help="make VERSION the active model")
        rollback.add_argument("version", metavar="VERSION", help="a version number (3 or v3)")
        rollback.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            answer = getattr(self, f"_{options['action']}")(options)
        except ArrearsError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if options["json"]:
            self.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2))

    def _train(self, options: dict[str, Any]) -> dict[str, Any]:
        # Imported here: the training module imports scikit-learn (about a second), which
        # `arrears score list` does not need.
        from arrears.insights.scoring.training import model_train

        as_of = parse_business_date(options["as_of"], "--as-of")
        summary = model_summary(model_train(as_of=as_of))
        if not options["json"]:
            metrics = summary["metrics"]
            self.stdout.write(
                _(
                    "score model v%(model)s trained on the history as of %(as_of)s:"
                    " %(cases)s cases, AUC %(auc)s on the holdout (%(first)s – %(last)s),"
                    " DPD alone %(auc_dpd)s"
                )
                % {
                    **summary,
                    "first": metrics["test_days"][0],
                    "last": metrics["test_days"][1],
                }
            )
        return summary

    def _list(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        versions = models_list()
        if not options["json"]:
            if not versions:
                self.stdout.write(_("no score model yet: `arrears score train --as-of DATE`"))
            for summary in versions:
                self.stdout.write(score_status_line(summary))
        return versions

    def _rollback(self, options: dict[str, Any]) -> dict[str, Any]:
        text = str(options["version"]).strip().lower().removeprefix("v")
        if not text.isdigit():
            raise InvalidInput(
                _("the version is a number, as `arrears score list` shows it"), field="version"
            )
        from arrears.insights.scoring.training import model_activate  # scikit-learn, as above

        summary = model_summary(model_activate(version=int(text)))
        if not options["json"]:
            self.stdout.write(
                _("score model v%(model)s is active; the next cycle scores with it") % summary
            )
        return summary
