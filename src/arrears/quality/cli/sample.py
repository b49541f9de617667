"""``arrears quality sample --from D --to D (--rate PERCENT | --per-collector N) --by USER
[--collector USER] [--seed N] [--json]``: draw calls to review."""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import OutputWrapper

from arrears.accounts.models import User
from arrears.core.bounds import date_problem
from arrears.core.dates import parse_date
from arrears.core.errors import InvalidInput
from arrears.quality.review_services import sample_draw


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``sample`` subcommand to ``arrears quality``."""
    parser = actions.add_parser(
        "sample",
        help="draw a reproducible sample of calls to review",
        description="Draw, per collector, a share (--rate 5 for 5 %%) or a number"
        " (--per-collector N) of the calls made from --from to --to on the cases the"
        " reviewer (--by) may see; flagged calls are always drawn, the reviewer's own never."
        " The same --seed draws the same calls again.",
    )
    parser.add_argument("--from", dest="first", required=True, metavar="DATE")
    parser.add_argument("--to", dest="last", required=True, metavar="DATE")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--rate", metavar="PERCENT", help="the share of each collector's calls")
    size.add_argument("--per-collector", type=int, metavar="N", help="calls per collector")
    parser.add_argument("--by", required=True, metavar="USER", help="the reviewer")
    parser.add_argument("--collector", metavar="USER", help="only this collector's calls")
    parser.add_argument("--seed", type=int, help="reproduce an earlier draw")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def _date(text: str, option: str) -> Any:
    try:
        day = parse_date(text)
    except ValueError as exc:
        raise InvalidInput(f"{option}: {exc}", field=option) from exc
    problem = date_problem(day)
    if problem:
        raise InvalidInput(f"{option}: {problem}", field=option)
    return day


def _user(name: str, option: str) -> User:
    user = User.objects.filter(username=name).first()
    if user is None:
        raise InvalidInput(f"{option}: no user {name!r}", field=option)
    return user


def rate_basis_points(text: str | None) -> int | None:
    """A share in percent ("5" or "5%") as basis points (500); None when not given."""
    if text is None:
        return None
    try:
        value = Decimal(text.strip().replace("％", "%").rstrip("%"))
    except InvalidOperation:
        raise InvalidInput(f"--rate: '{text}' is not a percentage", field="rate") from None
    if not value.is_finite():
        raise InvalidInput(f"--rate: '{text}' is not a percentage", field="rate")
    return int((value * 100).to_integral_value())


def run(options: dict[str, Any], stdout: OutputWrapper) -> None:
    """Draw the sample and print its id, seed and calls."""
    sample = sample_draw(
        by=_user(options["by"], "--by"),
        first_day=_date(options["first"], "--from"),
        last_day=_date(options["last"], "--to"),
        rate_bp=rate_basis_points(options.get("rate")),
        per_collector=options.get("per_collector"),
        seed=options.get("seed"),
        collector=_user(options["collector"], "--collector") if options.get("collector") else None,
    )
    calls = list(sample.calls.values_list("activity_id", "collector__username", "flagged"))
    if options["json"]:
        report = {
            "sample": sample.pk,
            "seed": sample.seed,
            "calls": [
                {"activity": pk, "collector": name, "flagged": flagged}
                for pk, name, flagged in calls
            ],
        }
        stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        return
    stdout.write(f"sample {sample.pk} (seed {sample.seed}): {len(calls)} calls")
    for pk, name, flagged in calls:
        stdout.write(f"  contact {pk} by {name}{' (flagged)' if flagged else ''}")
