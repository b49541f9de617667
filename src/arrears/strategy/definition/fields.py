"""Reading the fields of a playbook definition: strings, slugs, whole numbers, choices,
amounts in yuan, times of day and name lists, each checked with a message that names its
path (``stages[1].actions[0].time``).

Pure module: no Django import.
"""

from __future__ import annotations

import re
from typing import Any

from arrears.strategy.definition.vocabulary import (
    DEFAULT_TIME,
    SEGMENT_VOCABULARY,
    SLUG_MAX_LENGTH,
)

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TIME_RE = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")
_AMOUNT_RE = re.compile(r"^(?P<sign>[-+]?)(?P<int>\d+)(?:\.(?P<frac>\d+))?$")

MISSING = object()
"""Marks a key absent from its mapping, as distinct from one given as null."""


def describe(value: object) -> str:
    """How an error message names a value of the wrong kind."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def join_path(path: str, key: str) -> str:
    """The path of ``key`` inside the section at ``path`` (``""``: the top level)."""
    return f"{path}.{key}" if path else key


class FieldReader:
    """Reads the fields of one definition, recording problems instead of stopping at the
    first; ``parsing.PlaybookReader`` adds the sections built from them."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path or 'playbook'}: {message}")

    def mapping(self, value: object, path: str, keys: tuple[str, ...]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping, got {describe(value)}")
            return None
        expected = ", ".join(keys)
        for key in value:
            if key not in keys:
                self.error(join_path(path, str(key)), f"unknown key (expected one of: {expected})")
        return value

    def string(
        self, data: dict[str, Any], key: str, path: str, *, required: bool = False
    ) -> str | None:
        value: object = data.get(key, MISSING)
        where = join_path(path, key)
        if value is MISSING or value is None:
            if required:
                self.error(where, "required")
                return None
            return ""
        if not isinstance(value, str):
            self.error(where, f"expected a string, got {describe(value)}")
            return None
        if required and not value.strip():
            self.error(where, "must not be empty")
            return None
        return value

    def slug(self, data: dict[str, Any], key: str, path: str) -> str | None:
        value = self.string(data, key, path, required=True)
        if value is None:
            return None
        where = join_path(path, key)
        if len(value) > SLUG_MAX_LENGTH:
            self.error(where, f"'{value}' is longer than {SLUG_MAX_LENGTH} characters")
            return None
        if not _SLUG_RE.match(value):
            self.error(
                where,
                f"'{value}' is not a slug (lowercase letters, digits and hyphens, "
                "starting with a letter or digit)",
            )
            return None
        return value

    def integer(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        default: int | None,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        value: object = data.get(key, MISSING)
        if value is MISSING or value is None:
            return default
        where = join_path(path, key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(where, f"expected a whole number, got {describe(value)}")
            return None
        if minimum is not None and value < minimum:
            self.error(where, f"must be >= {minimum}, got {value}")
            return None
        if maximum is not None and value > maximum:
            self.error(where, f"must be <= {maximum}, got {value}")
            return None
        return value

    def choice(
        self, data: dict[str, Any], key: str, path: str, noun: str, options: tuple[str, ...]
    ) -> str | None:
        value = self.string(data, key, path, required=True)
        if value is None:
            return None
        if value not in options:
            self.error(
                join_path(path, key),
                f"unknown {noun} '{value}' (expected one of: {', '.join(options)})",
            )
            return None
        return value

    def amount(self, data: dict[str, Any], key: str, path: str) -> int | None:
        value: object = data.get(key)
        if value is None:
            return None
        where = join_path(path, key)
        if not isinstance(value, str):
            # Strings only: a YAML float such as 0.1 is binary and would need rounding.
            self.error(
                where,
                f'expected an amount in yuan as a quoted string such as "1000.00", '
                f"got {describe(value)}",
            )
            return None
        match = _AMOUNT_RE.match(value.strip())
        if not match:
            self.error(where, f"'{value}' is not an amount in yuan (write it like \"1000.00\")")
            return None
        frac = match.group("frac") or ""
        fen = int(match.group("int")) * 100 + int((frac + "00")[:2])
        if match.group("sign") == "-" and fen:
            self.error(where, f"'{value}' must be >= 0")
            return None
        if len(frac) > 2:
            self.error(where, f"'{value}' has more than two decimals (fen is the smallest unit)")
            return None
        return fen

    def time(self, data: dict[str, Any], key: str, path: str) -> str | None:
        value: object = data.get(key)
        if value is None:
            return DEFAULT_TIME
        where = join_path(path, key)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            # YAML 1.1 reads an unquoted 10:30 as the base-60 number 630.
            hint = f"{value // 60:02d}:{value % 60:02d}"
            self.error(
                where,
                f'expected "HH:MM" as a quoted string, got the number {value} '
                f'(an unquoted time is read as base 60; write "{hint}")',
            )
            return None
        if not isinstance(value, str) or not _TIME_RE.match(value):
            shown = f"'{value}'" if isinstance(value, str) else describe(value)
            self.error(where, f'expected a time "HH:MM" between 00:00 and 23:59, got {shown}')
            return None
        return value

    def names(self, data: dict[str, Any], key: str, path: str) -> tuple[str, ...] | None:
        value: object = data.get(key)
        if value is None:
            return ()
        where = join_path(path, key)
        if not isinstance(value, list):
            self.error(where, f"expected a list, got {describe(value)}")
            return None
        noun, options = SEGMENT_VOCABULARY.get(key, ("", ()))
        items: list[str] = []
        ok = True
        for index, item in enumerate(value):
            item_path = f"{where}[{index}]"
            if not isinstance(item, str) or not item.strip():
                self.error(item_path, f"expected a non-empty string, got {describe(item)}")
                ok = False
            elif options and item not in options:
                self.error(
                    item_path, f"unknown {noun} '{item}' (expected one of: {', '.join(options)})"
                )
                ok = False
            elif item in items:
                self.error(item_path, f"'{item}' is listed twice")
                ok = False
            else:
                items.append(item)
        return tuple(items) if ok else None
