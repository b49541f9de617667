"""What the ``arrears agency`` subcommands share: reading a case, a day, the acting user."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from arrears.accounts.models import User
from arrears.cases.choices import CaseStatus
from arrears.cases.models import CollectionCase
from arrears.core.bounds import date_problem
from arrears.core.dates import parse_date
from arrears.core.errors import InvalidInput, NotFound


def day_option(text: str | None, option: str) -> date:
    """The business day of ``option`` (default: today), or a refusal naming the option."""
    if not text:
        return timezone.localdate()
    try:
        day = parse_date(text)
    except ValueError as exc:
        raise InvalidInput(f"{option}: {exc}", field=option) from exc
    problem = date_problem(day)
    if problem:
        raise InvalidInput(f"{option}: {problem}", field=option)
    return day


def case_of(reference: str) -> CollectionCase:
    """The case ``reference`` names: a case number, else the open case of that loan id."""
    text = reference.strip()
    found: CollectionCase | None = None
    if text.isdigit():
        found = CollectionCase.objects.filter(pk=int(text)).first()
    if found is None:
        found = (
            CollectionCase.objects.filter(loan__loan_id=text, status=CaseStatus.OPEN)
            .order_by("-opened_on")
            .first()
        )
    if found is None:
        raise NotFound(f"no case {text} (give a case number or the loan id of an open case)")
    return found


def acting_user(options: dict[str, Any]) -> User | None:
    """The user named by ``--by`` (the audit names them), or ``None`` for the system."""
    name = options.get("by")
    if not name:
        return None
    user = User.objects.filter(username=name).first()
    if user is None:
        raise NotFound(f"--by: no user {name}")
    return user
