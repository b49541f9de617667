"""The limitation period (诉讼时效) of a loan's claim. Pure module (no Django)."""

from __future__ import annotations

from datetime import date

from arrears.core.dates import add_months

LIMITATION_YEARS = 3  # 民法典 art. 188


def limitation_expires_on(last_due_on: date | None, restarted_on: date | None) -> date | None:
    """Three years from the later of the last installment's due date and the last restart.

    An instalment debt's limitation runs from the last instalment's due date (民法典
    art. 189); a demand, or an acknowledgment such as a payment, restarts it (art. 195).
    """
    start = max((d for d in (last_due_on, restarted_on) if d is not None), default=None)
    return add_months(start, 12 * LIMITATION_YEARS) if start else None
