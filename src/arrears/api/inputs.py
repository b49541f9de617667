"""Bounded field types for the API's schemas, so an out-of-range value is a 4xx naming the
field and never reaches a query: ids within a 64-bit key, dates within 1900–2100
(``core.bounds``), datetimes aware, text of a stated length without NUL or lone
surrogates, amounts in yuan within the ceiling.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from arrears.core.bounds import amount_check, date_problem
from arrears.core.errors import InvalidInput
from arrears.core.money import parse_yuan

# The largest key a 64-bit primary key column holds (SQLite and PostgreSQL alike).
MAX_ID = 2**63 - 1
# Free text on a contact (``Activity.notes`` is unbounded in the database; the API is not).
MAX_NOTES = 4000
MAX_YUAN_TEXT = 32
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def _day_in_bounds(value: date) -> date:
    problem = date_problem(value)
    if problem:
        raise PydanticCustomError("date_out_of_bounds", problem)
    return value


def _moment_in_bounds(value: datetime) -> datetime:
    # A time without an offset is the business's local time (comparing it with the gate's
    # aware times would fail); one with an offset is read in the business's zone, since
    # ISO 8601 allows offsets up to ±23:59 and PostgreSQL refuses those beyond ±15:59.
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        value = timezone.localtime(value)
    except (OverflowError, ValueError):
        problem = date_problem(date.min)  # beyond what a datetime holds: out of bounds
    else:
        problem = date_problem(value)
    if problem:
        raise PydanticCustomError("date_out_of_bounds", problem)
    return value


def storable(value: str) -> str:
    """``value``, or a schema error when it holds NUL or a lone surrogate."""
    if _BAD_CHARACTER.search(value):
        raise PydanticCustomError(
            "bad_character", _("the text holds NUL or a lone surrogate character")
        )
    return value


# Keys start at 1; 0 is let through to be answered by the view as any unknown id is
# (after the caller's access is checked, which a schema error would pre-empt).
Id = Annotated[int, Field(ge=0, le=MAX_ID)]
Day = Annotated[date, AfterValidator(_day_in_bounds)]
Moment = Annotated[datetime, AfterValidator(_moment_in_bounds)]


# Strings a database can store, at most as long as the model fields they end up in.
Code10 = Annotated[str, StringConstraints(max_length=10), AfterValidator(storable)]
Code20 = Annotated[str, StringConstraints(max_length=20), AfterValidator(storable)]
Code30 = Annotated[str, StringConstraints(max_length=30), AfterValidator(storable)]
Code100 = Annotated[str, StringConstraints(max_length=100), AfterValidator(storable)]
Text200 = Annotated[str, StringConstraints(max_length=200), AfterValidator(storable)]
Notes = Annotated[str, StringConstraints(max_length=MAX_NOTES), AfterValidator(storable)]
YuanText = Annotated[str, StringConstraints(max_length=MAX_YUAN_TEXT), AfterValidator(storable)]


def yuan_in(text: str | None, *, field: str, allow_zero: bool = True) -> int | None:
    """Fen from a yuan string (``None`` when empty), or ``InvalidInput`` naming ``field``:
    not an amount, negative, or above the ceiling (``core.bounds``)."""
    if text in (None, ""):
        return None
    try:
        fen = parse_yuan(str(text))
    except (ValueError, ArithmeticError) as exc:
        raise InvalidInput(
            _("'%(text)s' is not an amount in yuan") % {"text": text}, field=field
        ) from exc
    return amount_check(fen, field=field, allow_zero=allow_zero)
