"""Champion/challenger arms: a stable split of cases by a hash. Pure module.

The bucket of a case depends only on the experiment's name and the case's id, so the same
case lands in the same arm on every run, on every machine and on either database; a new
experiment (another name) reshuffles independently of earlier ones.
"""

from __future__ import annotations

import hashlib

BUCKETS = 10_000  # shares are honoured to a hundredth of a percent


def arm_bucket(experiment: str, case_id: int) -> int:
    """The case's bucket in ``[0, BUCKETS)`` for ``experiment``."""
    digest = hashlib.sha256(f"{experiment}:{case_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def is_challenger(experiment: str, case_id: int, challenger_percent: int) -> bool:
    """Whether the case goes to the challenger when ``challenger_percent`` % of cases do."""
    return arm_bucket(experiment, case_id) < challenger_percent * BUCKETS // 100
