"""Penalty interest (罚息) arithmetic. Pure module (no Django).

An installment accrues, for each day past its due date plus grace, on its principal still
unpaid after that day's payments. The exact sum of fen·days is kept and rounded once:
penalty = round_half_up(Σ fen·days × penalty_rate / day_count), ACT/360 by default.
"""

from __future__ import annotations

from decimal import Decimal


def penalty_from_fen_days(fen_days: int, penalty_rate: Decimal, day_count: int = 360) -> int:
    """The penalty in fen for ``fen_days`` at an annual ``penalty_rate`` (a fraction)."""
    numerator, denominator = Decimal(penalty_rate).as_integer_ratio()
    scaled = denominator * day_count
    return (2 * fen_days * numerator + scaled) // (2 * scaled)
