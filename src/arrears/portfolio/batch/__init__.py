"""The ledger's set-based cycle steps, in the order the cycle runs them for a partition.

Each is keyword-only ``<noun>_<verb>(*, first, last, on)`` over the loans with ids
``first``–``last`` on business date ``on``, idempotent for that date, returning the rows
it wrote. The SQL re-expresses ``portfolio.calculations`` (the reference replay); the
property test ``tests/cycle/test_cycle_equals_replay.py`` proves both agree fen for fen.
"""

from arrears.portfolio.batch.replay import payments_post
from arrears.portfolio.batch.state import (
    history_record,
    limitation_watch,
    loans_classify,
    penalty_accrue,
    positions_update,
)

__all__ = [
    "history_record",
    "limitation_watch",
    "loans_classify",
    "payments_post",
    "penalty_accrue",
    "positions_update",
]
