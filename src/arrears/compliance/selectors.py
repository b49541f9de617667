"""Reads for the compliance gate: the situation a proposed contact is judged in."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from arrears.compliance.holidays import public_holidays
from arrears.compliance.models import CompliancePolicy, ContactAttempt, Hold
from arrears.compliance.rules import LIABLE_ROLES, PACKS, PastContact, PolicyPack, Situation
from arrears.portfolio.choices import ContactKind, ContactStatus
from arrears.portfolio.models import ContactPoint, Loan, LoanParty, Party

# Every rule looks back at most this far (Reg F's seven days, with a margin for zones).
HISTORY_DAYS = 9
# Quiet days are read this far around a proposed contact: enough for ``evaluate`` to step
# past the longest holiday (the 2026 Spring Festival break runs 9 days).
QUIET_DAYS_BEFORE, QUIET_DAYS_AFTER = 1, 30


def pack_of(policy: CompliancePolicy) -> PolicyPack:
    """The policy's pack with the creditor's stricter caps applied (never looser)."""
    pack = PACKS[policy.pack]
    changes = {}
    for name in ("conversations_per_day", "attempts_per_number_per_day"):
        stricter, floor = getattr(policy, name), getattr(pack, name)
        if stricter is not None and (floor is None or stricter < floor):
            changes[name] = stricter
    return dataclasses.replace(pack, **changes)


def policy_for(loan: Loan) -> tuple[PolicyPack, str]:
    """The creditor's pack with its stricter caps applied, and the debtors' time zone."""
    policy = CompliancePolicy.objects.filter(creditor_id=loan.creditor_id).first()
    if policy is None:
        return PACKS["cn"], "Asia/Shanghai"
    return pack_of(policy), policy.time_zone


def quiet_days_for(loan: Loan, around: date) -> frozenset[date]:
    """The days without contact near ``around`` (from the day before to 30 days after) in
    the debtors' calendar: the Chinese public holidays, when the creditor's policy keeps
    them quiet; none otherwise."""
    quiet = (
        CompliancePolicy.objects.filter(creditor_id=loan.creditor_id)
        .values_list("quiet_public_holidays", flat=True)
        .first()
    )
    if not quiet:
        return frozenset()
    return public_holidays(
        around - timedelta(days=QUIET_DAYS_BEFORE), around + timedelta(days=QUIET_DAYS_AFTER)
    )


def _history(party_ids: list[int], since: datetime) -> list[PastContact]:
    return [
        PastContact(at, channel, outcome, number, by)
        for at, channel, outcome, number, by in ContactAttempt.objects.filter(
            party_id__in=party_ids, at__gte=since
        )
        .order_by("at")
        .values_list("at", "channel", "outcome", "number", "by")
    ]


def contact_situation(
    *, loan: Loan, party: Party, at: datetime, time_zone: str, quiet_hours_consent: bool = False
) -> Situation:
    """History, holds, reachability and quiet days of ``party`` on ``loan`` around ``at``."""
    since = at - timedelta(days=HISTORY_DAYS)
    liable = list(
        LoanParty.objects.filter(
            loan=loan, role__in=LIABLE_ROLES - {"guarantor", "counter_guarantor"}
        ).values_list("party_id", flat=True)
    )
    # Whether the debtor is unreachable depends on their latest attempts however old, and a
    # contact person's refusal stands for good: both are read without the window.
    debtor_history = [
        PastContact(at, channel, outcome, number, by)
        for at, channel, outcome, number, by in ContactAttempt.objects.filter(
            party_id__in=liable, channel="call", at__lte=at
        )
        .order_by("-at")
        .values_list("at", "channel", "outcome", "number", "by")[:3]
    ]
    history = _history([party.pk], since)
    refusal = (
        ContactAttempt.objects.filter(party=party, outcome="refused", at__lt=since)
        .values_list("at", "channel", "outcome", "number", "by")
        .first()
    )
    if refusal is not None:
        history.insert(0, PastContact(*refusal))
    phones = ContactPoint.objects.filter(party_id__in=liable, kind=ContactKind.PHONE)
    all_invalid = phones.exists() and not phones.exclude(status=ContactStatus.INVALID).exists()
    holds = [
        (kind, channel)
        for kind, channel in Hold.objects.filter(lifted_at__isnull=True)
        .filter(Q(party=party) | Q(loan=loan))
        .values_list("kind", "channel")
    ]
    return Situation(
        time_zone=time_zone,
        quiet_hours_consent=quiet_hours_consent,
        history=history,
        debtor_history=debtor_history,
        debtor_numbers_all_invalid=all_invalid,
        holds=holds,
        quiet_days=quiet_days_for(loan, at.astimezone(ZoneInfo(time_zone)).date()),
    )
