"""Money as integer fen: parsing, formatting and the one rounding rule.

Every amount inside Arrears is an ``int`` of fen (分, 1/100 yuan). Yuan strings exist
only at the edges: a tape cell on the way in, a JSON value or a screen on the way out.
Pure module: no Django import.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

FEN_PER_YUAN = 100

_YUAN_RE = re.compile(r"^(?P<sign>[-+]?)(?P<int>\d+)(?:\.(?P<frac>\d*))?$")


def round_half_up(value: Fraction | Decimal | int) -> int:
    """Round an exact value to the nearest integer, halves away from zero.

    The single rounding rule of the ledger ("四舍五入"): 0.5 fen becomes 1 fen, and
    -0.5 fen becomes -1 fen so that a negated amount rounds to the negated result.
    """
    if isinstance(value, int):
        return value
    frac = Fraction(value)
    if frac < 0:
        return -round_half_up(-frac)
    return (2 * frac.numerator + frac.denominator) // (2 * frac.denominator)


def parse_yuan(text: str) -> int:
    """Parse a yuan amount such as ``"12,345.67"``, ``"¥100"`` or ``"100元"`` into fen.

    Raises ``ValueError`` with a plain-words reason: more than two decimals would need a
    rounding decision the source system did not make, so it is refused rather than guessed.
    """
    raw = str(text).strip()
    cleaned = raw.replace(",", "").replace("，", "").replace(" ", "")
    cleaned = cleaned.removeprefix("¥").removeprefix("￥").removeprefix("RMB")
    cleaned = cleaned.removesuffix("元")
    match = _YUAN_RE.match(cleaned)
    if not match:
        raise ValueError(f"'{raw}' is not an amount in yuan")
    frac = (match.group("frac") or "").rstrip("0")
    if len(frac) > 2:
        raise ValueError(f"'{raw}' has more than two decimals (fen is the smallest unit)")
    fen = int(match.group("int")) * FEN_PER_YUAN + int((frac + "00")[:2])
    return -fen if match.group("sign") == "-" else fen


def yuan_to_fen(value: Decimal | int | float | str) -> int:
    """Convert a numeric yuan value (e.g. from a spreadsheet cell) into fen exactly.

    Floats from spreadsheets are read through their shortest decimal repr, so 0.1 + 0.2
    style noise in a stored cell does not leak into the ledger.
    """
    if isinstance(value, float):
        value = repr(value)
    try:
        dec = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"'{value}' is not an amount in yuan") from exc
    scaled = dec * FEN_PER_YUAN
    if scaled != scaled.to_integral_value():
        raise ValueError(f"'{value}' has more than two decimals (fen is the smallest unit)")
    return int(scaled)


def format_yuan(fen: int) -> str:
    """Format fen as a plain yuan string with two decimals: 946185 → ``"9461.85"``."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), FEN_PER_YUAN)
    return f"{sign}{whole}.{cents:02d}"


def format_yuan_grouped(fen: int) -> str:
    """Format fen for people: 1234567 → ``"12,345.67"``."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), FEN_PER_YUAN)
    return f"{sign}{whole:,}.{cents:02d}"
