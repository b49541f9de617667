"""The compliance gate for a batch of proposed contacts (the daily plan of every case, a
claim of the outbox).

The same pure rules as ``services.contact_check`` judge every contact, on situations read
by the same reader (``selectors.party_situations``), for the whole batch at once: a few
queries whatever its size. Contacts whose situation is alike (same policy, channel, moment,
holds and history) share one evaluation, so a plan of hundreds of thousands of messages is
judged in seconds. Every refusal is stored, as for one contact.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from arrears.compliance.models import ContactRefusal
from arrears.compliance.rules import Decision, Proposed, Situation, evaluate
from arrears.compliance.selectors import (
    PartySituation,
    Subject,
    party_situations,
    policies_of,
    quiet_days,
)
from arrears.core.bulk import bulk_insert


@dataclasses.dataclass(frozen=True)
class Candidate:
    """One proposed contact of a batch."""

    creditor_id: int
    loan_id: int
    party_id: int
    role: str
    channel: str
    at: datetime  # aware
    purpose: str = ""
    staff: int = 1  # for visits


def time_zone_of(creditor_ids: Iterable[int]) -> dict[int, str]:
    """Each creditor's debtors' time zone (``rules.DEFAULT_TIME_ZONE`` unless its policy
    says otherwise)."""
    return {creditor: policy.zone for creditor, policy in policies_of(creditor_ids).items()}


def contact_check_many(candidates: Sequence[Candidate], *, asked_by: str) -> list[Decision]:
    """The gate's answer for each candidate, in order; refusals are stored in bulk.

    Any party may be a candidate: a contact person's situation (the debtors' reachability,
    a refusal however old) is read for the whole batch like the rest.
    """
    if not candidates:
        return []
    found = party_situations(
        [
            Subject(
                creditor_id=c.creditor_id,
                loan_id=c.loan_id,
                party_id=c.party_id,
                at=c.at,
                role=c.role,
                channel=c.channel,
            )
            for c in candidates
        ]
    )
    memo: dict[tuple[Proposed, PartySituation], Decision] = {}
    decisions: list[Decision] = []
    refusals: list[tuple[Any, ...]] = []
    for candidate, situation in zip(candidates, found, strict=True):
        proposed = Proposed(
            at=candidate.at,
            channel=candidate.channel,
            role=candidate.role,
            purpose=candidate.purpose,
            staff=candidate.staff,
        )
        key = (proposed, situation)
        decision = memo.get(key)
        if decision is None:
            decision = memo[key] = evaluate(situation.policy.pack, proposed, situation.situation)
        decisions.append(decision)
        if not decision.allowed:
            refusals.append(
                (
                    candidate.loan_id,
                    candidate.party_id,
                    candidate.role,
                    candidate.channel,
                    candidate.purpose,
                    candidate.at,
                    decision,
                )
            )
    refusals_store(refusals, asked_by=asked_by)
    return decisions


def contact_check_alike(
    *, creditor_id: int, channel: str, role: str, purpose: str, at: datetime, staff: int = 1
) -> Decision:
    """The gate's answer for any liable party of the creditor with no hold in force and no
    recent contact: the answer for a whole group of planned contacts. The caller stores
    the refusal for each contact it applies to (``refusals_store``)."""
    policy = policies_of([creditor_id])[creditor_id]
    local = at.astimezone(ZoneInfo(policy.zone)).date()
    return evaluate(
        policy.pack,
        Proposed(at=at, channel=channel, role=role, purpose=purpose, staff=staff),
        Situation(time_zone=policy.zone, quiet_days=quiet_days(policy, local)),
    )


def refusals_store(rows: Sequence[tuple[Any, ...]], *, asked_by: str) -> int:
    """Store refusals in bulk: rows of (loan_id, party_id, role, channel, purpose, at,
    decision); the reasons as their codes and parameters (``Decision.stored_reasons``)."""
    if not rows:
        return 0
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    return bulk_insert(
        ContactRefusal._meta.db_table,
        [
            "loan_id",
            "party_id",
            "role",
            "channel",
            "purpose",
            "at",
            "reasons",
            "next_allowed_at",
            "asked_by",
            "created_at",
        ],
        (
            (
                loan_id,
                party_id,
                role,
                channel,
                purpose,
                adapt(at),
                json.dumps(decision.stored_reasons(), ensure_ascii=False),
                adapt(decision.next_allowed_at),
                asked_by,
                now,
            )
            for loan_id, party_id, role, channel, purpose, at, decision in rows
        ),
    )
