"""Aging buckets (账龄) from days past due. Pure module (no Django)."""

from __future__ import annotations

# (upper DPD bound inclusive, bucket); beyond the last bound the loan is in BUCKET_BEYOND.
BUCKET_BOUNDS: tuple[tuple[int, str], ...] = (
    (0, "M0"),
    (30, "M1"),
    (60, "M2"),
    (90, "M3"),
    (120, "M4"),
    (150, "M5"),
    (180, "M6"),
)
BUCKET_BEYOND = "M7"


def bucket_for(dpd: int, bounds: tuple[tuple[int, str], ...] = BUCKET_BOUNDS) -> str:
    """M0 when not overdue; M1 1–30 … M6 151–180; M7 beyond 180 days."""
    for upper, name in bounds:
        if dpd <= upper:
            return name
    return BUCKET_BEYOND
