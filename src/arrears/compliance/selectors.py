"""Reads for the compliance gate: the situation a proposed contact is judged in.

``party_situations`` is the one reader of a party's situation (its creditor's policy, holds,
recent contacts, the debtors' reachability, quiet days). The gate (``services``), the batch
gate (``batch``), the audit (``audit``) and the workbench's case page all ask it, for one
party or for hundreds of thousands at once, in a fixed number of queries: three for liable
parties (policies, holds, contact history), five more when contact persons are among them.
Only what the rules can use is read: the history only for calls and contact persons, the
debtors' reachability only for contact persons under a pack with third-party rules.

The smaller readers below it (``policy_for``, ``quiet_days_for``, ``contact_situation``) are
the same reads for one loan, kept for the callers that ask that way; ``call_standing`` is
a party's standing for a call (the case page), ``holds_on`` the record of a loan's holds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Q

from arrears.compliance.models import CompliancePolicy, Hold
from arrears.compliance.policies import (
    DEFAULT_POLICY,
    QUIET_DAYS_AFTER,
    QUIET_DAYS_BEFORE,
    Policy,
    holidays_around,
    pack_of,
    policies_of,
    quiet_days,
)
from arrears.compliance.rules import (
    CALL,
    CONVERSATION,
    PASS_MESSAGE,
    Decision,
    PolicyPack,
    Proposed,
    Situation,
    evaluate,
)
from arrears.compliance.situations import (
    HISTORY_DAYS,
    PartySituation,
    Subject,
    party_situations,
)
from arrears.portfolio.models import Loan, Party

__all__ = [
    "DEFAULT_POLICY",
    "HISTORY_DAYS",
    "QUIET_DAYS_AFTER",
    "QUIET_DAYS_BEFORE",
    "CallStanding",
    "PartySituation",
    "Policy",
    "Subject",
    "call_standing",
    "contact_situation",
    "holds_on",
    "pack_of",
    "party_situations",
    "policies_of",
    "policy_for",
    "quiet_days_for",
]


def holds_on(*, loan_id: int, party_ids: Collection[int]) -> list[Hold]:
    """Every hold on the loan or on one of ``party_ids``, lifted ones too (the record of
    when each applied), newest first, with who placed it. One query."""
    return list(
        Hold.objects.filter(Q(loan_id=loan_id) | Q(party_id__in=sorted(party_ids)))
        .select_related("placed_by")
        .order_by("-created_at", "-id")
    )


def policy_for(loan: Loan) -> tuple[PolicyPack, str]:
    """The creditor's pack with its stricter caps applied, and the debtors' time zone (the
    defaults, ``rules.DEFAULT_PACK`` and ``rules.DEFAULT_TIME_ZONE``, without a policy)."""
    policy = policies_of([loan.creditor_id])[loan.creditor_id]
    return policy.pack, policy.zone


def quiet_days_for(loan: Loan, around: date) -> frozenset[date]:
    """The days without contact near ``around`` (a day of the debtors' calendar): the
    Chinese public holidays in the gate's window (``policies.quiet_days``), when the
    creditor's policy keeps them quiet; none otherwise. One query."""
    quiet = (
        CompliancePolicy.objects.filter(creditor_id=loan.creditor_id)
        .values_list("quiet_public_holidays", flat=True)
        .first()
    )
    return holidays_around(around) if quiet else frozenset()


def contact_situation(
    *, loan: Loan, party: Party, at: datetime, time_zone: str, quiet_hours_consent: bool = False
) -> Situation:
    """History, holds, reachability and quiet days of ``party`` on ``loan`` around ``at``,
    judged in ``time_zone`` (the party's role and the channel unknown: everything is read)."""
    found = party_situations(
        [Subject(creditor_id=loan.creditor_id, loan_id=loan.pk, party_id=party.pk, at=at)]
    )[0]
    situation = found.situation
    if time_zone != situation.time_zone:
        local = at.astimezone(ZoneInfo(time_zone)).date()
        situation = dataclasses.replace(
            situation, time_zone=time_zone, quiet_days=quiet_days(found.policy, local)
        )
    return dataclasses.replace(situation, quiet_hours_consent=quiet_hours_consent)


@dataclasses.dataclass(frozen=True)
class CallStanding:
    """A party's standing at the gate for a call at a moment: the calls counted against the
    pack's cap and the gate's answer."""

    calls_used: int
    calls_cap: int | None
    weekly: bool  # the cap counts call attempts over 7 days (Regulation F), not conversations
    decision: Decision


def call_standing(found: PartySituation, *, role: str, number: str, at: datetime) -> CallStanding:
    """How ``found``'s party stands for a call to ``number`` at ``at`` (pure: the gate's own
    ``evaluate`` on the situation read). Under a pack with a weekly cap the count is call
    attempts in the 7 days ending today in the debtors' calendar; otherwise conversations
    today. The call is asked as one to pass on a message, the only call a contact person
    may get; for a liable party the purpose changes nothing."""
    pack, situation = found.policy.pack, found.situation
    zone = ZoneInfo(situation.time_zone)
    today = at.astimezone(zone).date()
    calls = [c for c in situation.history if c.channel == CALL and c.at <= at]
    cap: int | None
    if pack.attempts_per_week is not None:
        used = sum(1 for c in calls if (today - c.at.astimezone(zone).date()).days < 7)
        cap, weekly = pack.attempts_per_week, True
    else:
        used = sum(
            1 for c in calls if c.outcome == CONVERSATION and c.at.astimezone(zone).date() == today
        )
        cap, weekly = pack.conversations_per_day, False
    decision = evaluate(
        pack,
        Proposed(at=at, channel=CALL, role=role, number=number, purpose=PASS_MESSAGE),
        situation,
    )
    return CallStanding(calls_used=used, calls_cap=cap, weekly=weekly, decision=decision)
