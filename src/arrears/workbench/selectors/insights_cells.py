"""How the insights pages show a figure: exact decimals, percentages and cell text."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def number(value: Any) -> Decimal | None:
    """A figure as an exact decimal (yuan strings, ratios), None when absent."""
    if value is None or value == "" or isinstance(value, list | tuple | dict):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def percent(value: Any) -> float | None:
    """A ratio as a percentage for a chart (0.1234 → 12.34)."""
    ratio = number(value)
    return None if ratio is None else float(round(ratio * 100, 2))


def as_float(value: Any) -> float | None:
    """A figure as a float for a chart, None when absent."""
    return None if (amount := number(value)) is None else float(amount)


def cell_text(value: Any, kind: str) -> str:
    """A cell as the page shows it."""
    if value is None or value == "":
        return "—"
    if kind == "rate":
        shown = percent(value)
        return "—" if shown is None else f"{shown:.2f} %"
    if kind == "interval" and isinstance(value, list | tuple) and len(value) == 2:
        return f"{cell_text(value[0], 'rate')} – {cell_text(value[1], 'rate')}"
    if kind == "yuan":
        amount = number(value)
        return f"{amount:,.2f}" if amount is not None else str(value)
    return str(value)
