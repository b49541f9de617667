"""The compliance gate for a batch of proposed contacts (the daily plan of every case).

The same pure rules as ``services.contact_check`` judge every contact; only the reading is
gathered: one query for the policies, one for the holds in force, one per few thousand
parties for their recent history. Contacts whose situation is alike (no holds, no
history, same channel, moment and pack) share one evaluation, so a plan of hundreds of
thousands of messages is judged in seconds. Every refusal is stored, as for one contact.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from arrears.compliance.holidays import public_holidays
from arrears.compliance.models import CompliancePolicy, ContactAttempt, ContactRefusal, Hold
from arrears.compliance.rules import (
    CALL,
    PACKS,
    Decision,
    PastContact,
    PolicyPack,
    Proposed,
    Situation,
    evaluate,
)
from arrears.compliance.selectors import HISTORY_DAYS, contact_situation, pack_of
from arrears.core.bulk import bulk_insert
from arrears.portfolio.models import Loan, Party

CHUNK = 5_000


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


@dataclasses.dataclass(frozen=True)
class _Policy:
    pack: PolicyPack
    zone: str
    quiet_holidays: bool = False


def _policies(creditor_ids: Iterable[int]) -> dict[int, _Policy]:
    found = {}
    for policy in CompliancePolicy.objects.filter(creditor_id__in=set(creditor_ids)):
        found[policy.creditor_id] = _Policy(
            pack_of(policy), policy.time_zone, policy.quiet_public_holidays
        )
    return found


def time_zone_of(creditor_ids: Iterable[int]) -> dict[int, str]:
    """Each creditor's debtors' time zone (Asia/Shanghai unless its policy says otherwise)."""
    zones = dict(
        CompliancePolicy.objects.filter(creditor_id__in=set(creditor_ids)).values_list(
            "creditor_id", "time_zone"
        )
    )
    return {creditor: zones.get(creditor, "Asia/Shanghai") for creditor in set(creditor_ids)}


def _holds() -> tuple[dict[int, list[tuple[str, str]]], dict[int, list[tuple[str, str]]]]:
    """Holds in force, by party and by loan (few, against a portfolio: read whole)."""
    by_party: dict[int, list[tuple[str, str]]] = defaultdict(list)
    by_loan: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for party_id, loan_id, kind, channel in Hold.objects.filter(lifted_at__isnull=True).values_list(
        "party_id", "loan_id", "kind", "channel"
    ):
        if party_id is not None:
            by_party[party_id].append((kind, channel))
        if loan_id is not None:
            by_loan[loan_id].append((kind, channel))
    return by_party, by_loan


def _call_history(party_ids: Sequence[int], since: datetime) -> dict[int, list[PastContact]]:
    history: dict[int, list[PastContact]] = defaultdict(list)
    for start in range(0, len(party_ids), CHUNK):
        rows = (
            ContactAttempt.objects.filter(party_id__in=party_ids[start : start + CHUNK])
            .filter(at__gte=since)
            .order_by("at")
            .values_list("party_id", "at", "channel", "outcome", "number", "by")
        )
        for party_id, at, channel, outcome, number, by in rows:
            history[party_id].append(PastContact(at, channel, outcome, number, by))
    return history


def contact_check_many(candidates: Sequence[Candidate], *, asked_by: str) -> list[Decision]:
    """The gate's answer for each candidate, in order; refusals are stored in bulk.

    Call with liable parties only; a contact person's situation needs the debtor's own
    history, so such a candidate is judged through the single-contact selector.
    """
    if not candidates:
        return []
    policies = _policies(c.creditor_id for c in candidates)
    default = _Policy(PACKS["cn"], "Asia/Shanghai")
    holds_of_party, holds_of_loan = _holds()
    calls = sorted({c.party_id for c in candidates if c.channel == CALL})
    earliest = min(c.at for c in candidates) - timedelta(days=HISTORY_DAYS)
    history = _call_history(calls, earliest) if calls else {}
    moments = [c.at for c in candidates]
    holidays = _holidays_around(min(moments), max(moments))
    memo: dict[tuple[object, ...], Decision] = {}
    decisions: list[Decision] = []
    refusals: list[tuple[Any, ...]] = []
    for candidate in candidates:
        policy = policies.get(candidate.creditor_id, default)
        holds = tuple(holds_of_party.get(candidate.party_id, ())) + tuple(
            holds_of_loan.get(candidate.loan_id, ())
        )
        past = tuple(history.get(candidate.party_id, ()))
        proposed = Proposed(
            at=candidate.at,
            channel=candidate.channel,
            role=candidate.role,
            purpose=candidate.purpose,
            staff=candidate.staff,
        )
        if candidate.role == "contact_person":
            situation = contact_situation(
                loan=Loan.objects.get(pk=candidate.loan_id),
                party=Party.objects.get(pk=candidate.party_id),
                at=candidate.at,
                time_zone=policy.zone,
            )
            decision = evaluate(policy.pack, proposed, situation)
        else:
            key = (policy, proposed, holds, past)
            decision = memo.get(key) or evaluate(
                policy.pack,
                proposed,
                Situation(
                    time_zone=policy.zone,
                    history=past,
                    holds=holds,
                    quiet_days=holidays if policy.quiet_holidays else frozenset(),
                ),
            )
            memo[key] = decision
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


def _holidays_around(first: datetime, last: datetime) -> frozenset[date]:
    return public_holidays(first.date() - timedelta(days=1), last.date() + timedelta(days=31))


def contact_check_alike(
    *, creditor_id: int, channel: str, role: str, purpose: str, at: datetime, staff: int = 1
) -> Decision:
    """The gate's answer for any liable party of the creditor with no hold in force and no
    recent contact: the answer for a whole group of planned contacts. The caller stores
    the refusal for each contact it applies to (``refusals_store``)."""
    policy = _policies([creditor_id]).get(creditor_id, _Policy(PACKS["cn"], "Asia/Shanghai"))
    return evaluate(
        policy.pack,
        Proposed(at=at, channel=channel, role=role, purpose=purpose, staff=staff),
        Situation(
            time_zone=policy.zone,
            quiet_days=_holidays_around(at, at) if policy.quiet_holidays else frozenset(),
        ),
    )


def refusals_store(rows: Sequence[tuple[Any, ...]], *, asked_by: str) -> int:
    """Store refusals in bulk: rows of (loan_id, party_id, role, channel, purpose, at,
    decision)."""
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
                json.dumps(decision.reasons, ensure_ascii=False),
                adapt(decision.next_allowed_at),
                asked_by,
                now,
            )
            for loan_id, party_id, role, channel, purpose, at, decision in rows
        ),
    )
