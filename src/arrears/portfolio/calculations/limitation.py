"""The limitation period (诉讼时效) of a loan's claim. Pure module (no Django)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from arrears.core.dates import add_months

LIMITATION_YEARS = 3  # 民法典 art. 188

# Kinds of interruption (诉讼时效中断, 民法典 art. 195), as ``LimitationEventKind`` names
# them. Only an acknowledgment counts after the period has run out: a debtor who agrees to
# pay an expired debt can no longer plead expiry (art. 192), while a demand or a suit has
# no running period left to interrupt.
DEMAND = "demand"
ACKNOWLEDGMENT = "acknowledgment"
LEGAL_ACTION = "legal_action"


def _expiry(start: date) -> date:
    return add_months(start, 12 * LIMITATION_YEARS)


def limitation_expires_on(
    last_due_on: date | None,
    restarted_on: date | None,
    events: Iterable[tuple[date, str]] = (),
) -> date | None:
    """When the claim's limitation period runs out, or None for a loan with no schedule.

    The period runs three years from the later of the last installment's due date (an
    instalment debt, 民法典 art. 189) and ``restarted_on``, the last payment (a payment
    acknowledges the debt). Each later recorded event, in date order, restarts it on its
    day: an acknowledgment always, a demand or legal action only while the period runs
    (on or before the expiry date it would interrupt).
    """
    start = max((d for d in (last_due_on, restarted_on) if d is not None), default=None)
    if start is None:
        return None
    expires = _expiry(start)
    for on, kind in sorted(events):
        if on <= start:
            continue
        if kind == ACKNOWLEDGMENT or on <= expires:
            start, expires = on, _expiry(on)
    return expires
