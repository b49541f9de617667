"""``arrears insights experiment``: champion/challenger results, the list of experiments,
and promoting a challenger.

arrears insights experiment NAME [--json]
arrears insights experiment --list [--json]
arrears insights experiment NAME --promote --by USERNAME [--note TEXT] [--json]
"""

from __future__ import annotations

import json
import unicodedata
from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.core.errors import InvalidInput
from arrears.insights.experiments import experiment_results, experiments_list
from arrears.strategy.experiment_services import experiment_promote


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``experiment`` subcommand to ``arrears insights``."""
    parser = actions.add_parser(
        "experiment",
        help="champion/challenger results per arm; promote the challenger",
        description=(
            "Per arm of an experiment: cases, cured, cure rate with its 95% Wilson interval,"
            " collected yuan and per case (95% normal interval), contacts per case and"
            " complaints; the difference of cure rates (challenger - champion) with its"
            " interval and the two-proportion z-test p-value. --promote publishes the"
            " challenger's playbook as the champion's next version and ends the experiment."
        ),
    )
    parser.add_argument("name", nargs="?", metavar="NAME", help="the experiment")
    parser.add_argument("--list", action="store_true", help="list every experiment")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--promote", action="store_true", help="make the challenger the champion (audited)"
    )
    parser.add_argument("--by", default="", metavar="USERNAME", help="who promotes")
    parser.add_argument("--note", default="", metavar="TEXT", help="why (kept on the version)")
    parser.set_defaults(run=run)


def _check(options: dict[str, Any]) -> None:
    """Refuse combinations that say two things at once, naming the option at fault."""
    if options["list"]:
        if options["name"] or options["promote"]:
            raise InvalidInput(_("--list takes no experiment name and no --promote"))
        return
    if not options["name"]:
        raise InvalidInput(_("name an experiment, or ask for --list"), field="name")
    if not options["promote"] and (options["by"] or options["note"]):
        raise InvalidInput(_("--by and --note go with --promote"), field="promote")
    if options["promote"] and not options["by"].strip():
        raise InvalidInput(_("--by: say who promotes (a username)"), field="by")


def _user(username: str) -> User:
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        raise InvalidInput(_("--by: no user named %(name)s") % {"name": repr(username)})
    return user


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _padded(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.2f}%"


def _points(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:+.2f}"


def _interval(pair: list[Any] | None, show: Any) -> str:
    return "—" if pair is None else f"[{show(pair[0])}, {show(pair[1])}]"


def _print_results(report: dict[str, Any], stdout: OutputWrapper) -> None:
    state = _("active") if report["active"] else _("ended")
    stdout.write(
        _(
            "Experiment %(name)s (%(state)s): champion %(champion)s v%(cv)s, challenger"
            " %(challenger)s v%(chv)s (%(percent)s%% of new cases)"
        )
        % {
            "name": report["experiment"],
            "state": state,
            "champion": report["champion"]["playbook"],
            "cv": report["champion"]["version"],
            "challenger": report["challenger"]["playbook"],
            "chv": report["challenger"]["version"],
            "percent": report["challenger_percent"],
        }
    )
    heading = (
        _("arm"), _("playbook"), _("cases"), _("cured"), _("cure rate"), _("95% CI"),
        _("collected"), _("per case"), _("95% CI"), _("contacts/case"), _("complaints"),
    )  # fmt: skip
    rows = [heading]
    arm_labels = {"champion": _("champion"), "challenger": _("challenger")}
    for arm in report["arms"]:
        rows.append(
            (
                arm_labels[arm["arm"]],
                arm["playbook"],
                str(arm["cases"]),
                str(arm["cured"]),
                _percent(arm["cure_rate"]),
                _interval(arm["cure_rate_ci"], _percent),
                arm["collected"],
                arm["collected_per_case"] or "—",
                _interval(arm["collected_per_case_ci"], str),
                "—" if arm["contacts_per_case"] is None else f"{arm['contacts_per_case']:.2f}",
                str(arm["complaints"]),
            )
        )
    widths = [max(_width(str(row[i])) for row in rows) for i in range(len(heading))]
    for row in rows:
        cells = [_padded(str(cell), width) for cell, width in zip(row, widths, strict=True)]
        stdout.write("  ".join(cells).rstrip())
    difference = report["difference"]
    stdout.write(
        _(
            "Difference (challenger - champion): cure rate %(points)s points, 95%% CI"
            " %(interval)s, p = %(p)s; collected per case %(yuan)s yuan, 95%% CI %(yuan_ci)s"
        )
        % {
            "points": _points(difference["cure_rate"]),
            "interval": _interval(difference["ci"], _points),
            "p": "—" if difference["p_value"] is None else f"{difference['p_value']:.4f}",
            "yuan": difference["collected_per_case"] or "—",
            "yuan_ci": _interval(difference["collected_per_case_ci"], str),
        }
    )


def _print_list(experiments: list[dict[str, Any]], stdout: OutputWrapper) -> None:
    if not experiments:
        stdout.write(_("No experiments."))
        return
    for item in experiments:
        state = _("active") if item["active"] else _("ended")
        stdout.write(
            _(
                "%(name)s (%(state)s): champion %(champion)s v%(cv)s — %(champion_cases)s"
                " cases; challenger %(challenger)s v%(chv)s (%(percent)s%%) —"
                " %(challenger_cases)s cases"
            )
            % {
                "name": item["experiment"],
                "state": state,
                "champion": item["champion"]["playbook"],
                "cv": item["champion"]["version"],
                "champion_cases": item["cases"]["champion"],
                "challenger": item["challenger"]["playbook"],
                "chv": item["challenger"]["version"],
                "percent": item["challenger_percent"],
                "challenger_cases": item["cases"]["challenger"],
            }
        )


def _promote(options: dict[str, Any], stdout: OutputWrapper) -> None:
    user = _user(options["by"])
    version = experiment_promote(options["name"], by=user, note=options["note"])
    answer = {
        "experiment": options["name"],
        "active": False,
        "champion": {"playbook": version.playbook.name, "version": version.number},
        "promoted_by": user.get_username(),
    }
    if options["json"]:
        stdout.write(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    stdout.write(
        _("%(playbook)s v%(version)s published from the challenger; experiment %(name)s ended")
        % {"playbook": version.playbook.name, "version": version.number, "name": options["name"]}
    )


def run(options: dict[str, Any], stdout: OutputWrapper) -> int | None:
    """Print the experiment's results, the list, or promote the challenger."""
    _check(options)
    if options["list"]:
        experiments = experiments_list()
        if options["json"]:
            stdout.write(json.dumps({"experiments": experiments}, ensure_ascii=False, indent=2))
        else:
            _print_list(experiments, stdout)
        return None
    if options["promote"]:
        _promote(options, stdout)
        return None
    report = experiment_results(options["name"])
    if options["json"]:
        stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_results(report, stdout)
    return None
