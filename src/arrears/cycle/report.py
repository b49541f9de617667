"""The cycle's part of a loan report (the keys ``arrears loan --json`` adds after a cycle).

Contract (later issues add keys, never rename): ``cycle_date``, ``classification``,
``limitation_expires_on`` and ``case`` {``id``, ``status``, ``opened_on``, ``entry_dpd``,
``worst_dpd``, ``closed_on``, ``close_reason``}.
"""

from __future__ import annotations

from typing import Any

from arrears.core.money import format_yuan
from arrears.cycle.selectors import StoredState


def cycle_report(stored: StoredState) -> dict[str, Any]:
    position, case = stored.position, stored.case
    return {
        "cycle_date": stored.cycle_date.isoformat(),
        "classification": position.classification,
        "limitation_expires_on": (
            position.limitation_expires_on.isoformat() if position.limitation_expires_on else None
        ),
        "limitation_watch": position.limitation_watch,
        "case": None
        if case is None
        else {
            "id": case.pk,
            "status": case.status,
            "opened_on": case.opened_on.isoformat(),
            "entry_dpd": case.entry_dpd,
            "entry_amount": format_yuan(case.entry_amount),
            "current_dpd": case.current_dpd,
            "bucket": case.bucket,
            "worst_dpd": case.worst_dpd,
            "closed_on": case.closed_on.isoformat() if case.closed_on else None,
            "close_reason": case.close_reason or None,
        },
    }
