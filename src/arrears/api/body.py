"""Limits on what a request body may be before anything parses it.

A 50,000-deep JSON array made ``json.loads`` raise ``RecursionError`` (an HTTP 500 as
HTML); a body of any size was read into memory. Every ``/api/v1/`` body now passes
``body_problem`` first — at the URL (``guarded``, so endpoints that parse their own body
are covered too) and again in the API's parser — and is refused with a 4xx JSON answer:

- larger than ``ARREARS_API_MAX_BODY_BYTES`` (default 1 MiB): 413, judged from
  ``Content-Length`` before a byte is read;
- nested deeper than ``MAX_JSON_DEPTH``: 400, judged by counting brackets outside strings
  (regular expressions, no recursion), so the parser never meets such a body;
- JSON whose strings hold a NUL character or half of a surrogate pair: 400 (PostgreSQL
  refuses NUL in text and no database can encode a lone surrogate, so either would end
  in a 500 deep inside a query).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja.parser import Parser

from arrears.core.errors import InvalidInput

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
# A JSON string, escapes included (the unrolled form never backtracks).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


class BodyRefused(InvalidInput):
    """A body refused before parsing; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message, field="body")
        self.status = status


def max_body_bytes() -> int:
    """The largest request body accepted on the API (the setting, or 1 MiB)."""
    return int(getattr(settings, "ARREARS_API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))


def _too_large() -> BodyRefused:
    return BodyRefused(
        _("the body is larger than %(bytes)d bytes") % {"bytes": max_body_bytes()}, status=413
    )


def json_depth(raw: bytes, *, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep ``raw``'s brackets nest outside strings, counting no further than
    ``limit + 1`` (enough to refuse). Malformed JSON gets a number too; the parser refuses
    it afterwards."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", raw))
    depth = deepest = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


def body_problem(request: HttpRequest) -> BodyRefused | None:
    """Why ``request``'s body may not be parsed, or None when it may."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_body_bytes():
        return _too_large()
    try:
        raw = request.body
    except RawPostDataException:
        return None  # a multipart body already read as a form: no JSON to judge
    if len(raw) > max_body_bytes():
        return _too_large()
    if json_depth(raw) > MAX_JSON_DEPTH:
        return BodyRefused(
            _("the JSON is nested deeper than %(depth)d levels") % {"depth": MAX_JSON_DEPTH},
            status=400,
        )
    return None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large a number")
    return value


def _bad_text(value: Any) -> bool:
    """True when a string anywhere in the decoded JSON holds NUL or a lone surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _BAD_CHARACTER.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def json_body(request: HttpRequest) -> Any:
    """``request``'s body as JSON (``None`` when empty), or ``InvalidInput`` naming
    ``body``: too large (413); too deep, not JSON, NaN, Infinity or a number beyond a
    float, NUL or a lone surrogate in a string (400). Endpoints that read their body
    themselves call this."""
    problem = body_problem(request)
    if problem is not None:
        raise problem
    raw = request.body
    if not raw:
        return None
    try:
        value = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as error:
        raise InvalidInput(_("the body is not JSON"), field="body") from error
    if _bad_text(value):
        raise InvalidInput(
            _("the body holds a character that cannot be stored (NUL or a lone surrogate)"),
            field="body",
        )
    return value


class BoundedParser(Parser):
    """Ninja's JSON parser behind the same limits (``json_body``)."""

    def parse_body(self, request: HttpRequest) -> Any:
        return json_body(request)
