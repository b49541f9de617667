"""The seal of a recorded contact: the SHA-256 of everything a person recorded, stored on
the activity and recomputed to show that it was not altered (evidence is append-only)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from arrears.cases.models import Activity


def activity_content(activity: Activity) -> dict[str, object]:
    """The canonical content an activity's SHA-256 seals: every field a person recorded,
    times in UTC so the value read back from any database hashes the same."""

    def moment(value: datetime | None) -> str | None:
        return value.astimezone(UTC).isoformat() if value else None

    return {
        "case": activity.case_id,
        "party": activity.party_id,
        "contact_point": activity.contact_point_id,
        "channel": activity.channel,
        "party_reached": activity.party_reached,
        "outcome": activity.outcome,
        "reason": activity.reason,
        "notes": activity.notes,
        "next_follow_up_at": moment(activity.next_follow_up_at),
        "attempt": activity.attempt_id,
        "by": activity.by_id,
        "at": moment(activity.at),
    }


def activity_digest(activity: Activity) -> str:
    """The SHA-256 (hex) of ``activity_content``: stored on the activity, recomputed to check
    it was not altered."""
    canonical = json.dumps(
        activity_content(activity), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
