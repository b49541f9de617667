"""Contact rules: may this party be contacted on this channel at this moment? Pure module.

A *policy pack* holds a jurisdiction's rules as data; ``evaluate`` checks one proposed
contact against the pack, the party's contact history and its holds, and answers allowed,
or blocked with every reason and the earliest moment the time-bound reasons clear. The
compliance service (``contact_check``) gathers the inputs from the database and stores
every refusal; this module decides.

Packs:

- ``cn`` (default), after GB/T 45251-2025 and the China Banking Association's 2026
  consumer-loan collection guideline: no contact 22:00–08:00 in the debtor's local time
  unless the debtor agreed; at most 3 effective voice conversations a day per debtor,
  counted across the lender and its agencies; at most 6 call attempts a day to one number;
  a contact person (not liable) only when the debtor is unreachable (every number invalid,
  or the last 3 call attempts failed), only to pass on a message, and never after they
  refused; field visits need at least two staff.
- ``us-regf`` (Regulation F, 12 CFR 1006): 08:00–21:00 local time; at most 7 call attempts
  within 7 consecutive days per debt, and none within 7 days after a conversation (the
  conversation's day counts as the first); an opt-out in every email and SMS.

Quiet days: a creditor may also keep days of the debtor's calendar free of contact (its
policy's "no contact on Chinese public holidays"; the dates arrive as
``Situation.quiet_days``). On a quiet day no timed channel (call, SMS, email, visit) may be
used at any hour, whatever the debtor agreed about the hours of the day; the contact is
next allowed at the pack's opening of the first day after that is not quiet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from arrears.compliance.reason_codes import (  # noqa: F401  (rules.X stays the way to name them)
    AFTER_CONVERSATION,
    ATTEMPTS_PER_NUMBER,
    ATTEMPTS_PER_WEEK,
    CONTACT_PERSON_REFUSED,
    CONVERSATIONS_PER_DAY,
    DEBTOR_REACHABLE,
    HOLD,
    HOLD_LITIGATION,
    LEGACY,
    NOT_A_PARTY,
    OPT_OUT_LINE,
    OPTED_OUT,
    PURPOSE_PASS_MESSAGE,
    QUIET_DAY,
    QUIET_HOURS,
    REASON_TEXTS,
    VISIT_STAFF,
    Reason,
    reason_of,
)

# Channels and what a recorded contact came to (the codes stored on contact records).
CALL, SMS, EMAIL, VISIT, LETTER, LEGAL = "call", "sms", "email", "visit", "letter", "legal"
CONVERSATION = "conversation"  # an effective voice conversation with the party
NO_ANSWER = "no_answer"  # an attempt that reached nobody (busy, unanswered, switched off)
REFUSED = "refused"  # a contact person declined to pass messages on
LIABLE_ROLES = frozenset({"borrower", "co_borrower", "guarantor", "counter_guarantor"})
CONTACT_PERSON = "contact_person"
PASS_MESSAGE = "pass_message"  # the only purpose a contact person may be called for

# Holds stop contact (争议, 投诉, legal representation, bankruptcy, deceased) on every
# channel; a filed lawsuit leaves only the legal channel; an opt-out closes its channel.
FULL_HOLDS = frozenset(
    {"dispute", "complaint", "represented", "bankruptcy", "deceased", "hardship"}
)
LITIGATION = "litigation"
OPT_OUT = "opt_out"

# A one-time sign-in code the party asked for seconds ago on the self-service portal: not a
# collection contact but an answer to the party's own request, useless a few minutes later.
# So it is exempt from the hours, quiet days, caps and holds (a borrower who disputed the
# debt or opted out of SMS may still sign in to read it), for a liable party on a channel
# that carries a code. Its sender keeps it off the contact journal (never counted as an
# attempt) and the outbox keeps its record (docs/compliance.md).
VERIFICATION = "verification"
VERIFICATION_CHANNELS = frozenset({SMS, EMAIL})


@dataclass(frozen=True)
class PolicyPack:
    """One jurisdiction's contact rules; ``None`` switches a rule off."""

    code: str
    day_starts: time
    day_ends: time  # contact allowed from day_starts until (not including) day_ends
    timed_channels: frozenset[str]
    conversations_per_day: int | None = None  # per debtor, every collector counted
    attempts_per_number_per_day: int | None = None
    attempts_per_week: int | None = None  # call attempts in 7 consecutive days, per debt
    days_after_conversation: int | None = None  # no call within N days after a conversation
    third_party_rules: bool = False
    failed_attempts_unreachable: int = 3
    visit_min_staff: int | None = None
    opt_out_required: frozenset[str] = frozenset()
    # Legal matter kinds whose opening places the litigation hold (only the legal channel
    # from then on): once a court has the debt, collecting beside it is pressure the court
    # did not order. A lawyer letter is a demand, not a filing, so it holds nothing.
    litigation_hold_kinds: frozenset[str] = frozenset(
        {"payment_order", "lawsuit", "preservation", "enforcement"}
    )


CN = PolicyPack(
    code="cn",
    day_starts=time(8, 0),
    day_ends=time(22, 0),
    timed_channels=frozenset({CALL, SMS, EMAIL, VISIT}),
    conversations_per_day=3,
    attempts_per_number_per_day=6,
    third_party_rules=True,
    visit_min_staff=2,
)
US_REGF = PolicyPack(
    code="us-regf",
    day_starts=time(8, 0),
    day_ends=time(21, 0),
    timed_channels=frozenset({CALL, SMS, EMAIL, VISIT}),
    attempts_per_week=7,
    days_after_conversation=7,
    opt_out_required=frozenset({SMS, EMAIL}),
)
PACKS = {pack.code: pack for pack in (CN, US_REGF)}

# What applies to a creditor without its own compliance policy, and what a new policy starts
# from: the one place the default pack and the debtors' time zone are written (the policy
# model's defaults, the gate's readers and the outreach worker's calendar day all use these).
DEFAULT_PACK = CN.code
DEFAULT_TIME_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class PastContact:
    """A contact already made with (or attempted to) the party, by anyone collecting."""

    at: datetime
    channel: str
    outcome: str
    number: str = ""
    by: str = ""  # who made it (the lender's team, an agency): every one counts the same


@dataclass(frozen=True)
class Proposed:
    """The contact being checked."""

    at: datetime  # aware
    channel: str
    role: str  # the party's role on the loan
    purpose: str = ""
    number: str = ""  # the phone number to call
    staff: int = 1  # for visits
    has_opt_out_line: bool = True  # for messages


@dataclass(frozen=True)
class Situation:
    """What is known about the party when the contact is proposed."""

    time_zone: str = DEFAULT_TIME_ZONE
    quiet_hours_consent: bool = False  # the debtor agreed to contact outside the day
    history: Sequence[PastContact] = ()  # this party's contacts
    debtor_history: Sequence[PastContact] = ()  # the liable debtor's, for third-party checks
    debtor_numbers_all_invalid: bool = False
    holds: Iterable[tuple[str, str]] = ()  # (kind, channel or "" for all)
    # Days of the debtor's calendar without contact on the timed channels (public holidays
    # the creditor keeps quiet); the hours consent does not lift them.
    quiet_days: frozenset[date] = frozenset()


# Why the gate refuses: each reason is a language-neutral code with its parameters (plain
# strings), stored as such and put into words only when shown, in the reader's language
# (``compliance.reasons`` holds the translatable messages). The English messages below are
# the words outside Django (and of refusals stored before the codes: ``reason_parse``);
# ``compliance.reasons`` uses the same ones as its message ids (a test keeps them equal).
@dataclass(frozen=True)
class Decision:
    allowed: bool
    refusals: list[Reason] = field(default_factory=list)
    next_allowed_at: datetime | None = None

    @property
    def reasons(self) -> list[str]:
        """Every reason in English (Django pages put ``refusals`` into the reader's words:
        ``compliance.reasons.reason_messages``)."""
        return [reason.text for reason in self.refusals]

    @property
    def reason_codes(self) -> list[str]:
        return [reason.code for reason in self.refusals]

    def stored_reasons(self) -> list[dict[str, object]]:
        """The reasons as stored with a refusal (``Reason.as_dict`` each)."""
        return [reason.as_dict() for reason in self.refusals]


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _day_opening(day: date, pack: PolicyPack, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, pack.day_starts, tzinfo=zone)


def _hhmm(moment: time | datetime) -> str:
    return f"{moment:%H:%M}"


def _timed_reasons(
    pack: PolicyPack, proposed: Proposed, situation: Situation, at: datetime
) -> list[tuple[Reason, datetime]]:
    """Reasons that pass with time, each with the moment it no longer holds."""
    zone = ZoneInfo(situation.time_zone)
    local = at.astimezone(zone)
    today = local.date()
    found: list[tuple[Reason, datetime]] = []
    if proposed.channel in pack.timed_channels and not situation.quiet_hours_consent:
        clock = local.time()
        quiet = Reason(
            QUIET_HOURS,
            {
                "start": _hhmm(pack.day_starts),
                "end": _hhmm(pack.day_ends),
                "local": _hhmm(local),
                "tz": situation.time_zone,
            },
        )
        if clock < pack.day_starts:
            found.append((quiet, _day_opening(today, pack, zone)))
        elif clock >= pack.day_ends:
            found.append((quiet, _day_opening(today + timedelta(days=1), pack, zone)))
    if proposed.channel in pack.timed_channels and today in situation.quiet_days:
        reopens = today + timedelta(days=1)
        while reopens in situation.quiet_days:
            reopens += timedelta(days=1)
        found.append(
            (Reason(QUIET_DAY, {"day": today.isoformat()}), _day_opening(reopens, pack, zone))
        )
    if proposed.channel != CALL:
        return found
    tomorrow = _day_opening(today + timedelta(days=1), pack, zone)
    calls_today = [
        c
        for c in situation.history
        if c.channel == CALL and _local_day(c.at, zone) == today and c.at <= at
    ]
    limit = pack.conversations_per_day
    if limit is not None:
        talks = sum(1 for c in calls_today if c.outcome == CONVERSATION)
        if talks >= limit:
            found.append(
                (
                    Reason(CONVERSATIONS_PER_DAY, {"count": str(talks), "limit": str(limit)}),
                    tomorrow,
                )
            )
    limit = pack.attempts_per_number_per_day
    if limit is not None and proposed.number:
        tries = sum(1 for c in calls_today if c.number == proposed.number)
        if tries >= limit:
            found.append(
                (Reason(ATTEMPTS_PER_NUMBER, {"count": str(tries), "limit": str(limit)}), tomorrow)
            )
    calls = sorted((c for c in situation.history if c.channel == CALL and c.at <= at), key=_at)
    limit = pack.attempts_per_week
    if limit is not None:
        # Seven consecutive days ending today, in the debtor's calendar.
        window = [c for c in calls if (today - _local_day(c.at, zone)).days < 7]
        if len(window) >= limit:
            # Allowed again once the oldest attempts leave the window.
            leaves = _local_day(window[len(window) - limit].at, zone) + timedelta(days=7)
            found.append(
                (
                    Reason(ATTEMPTS_PER_WEEK, {"count": str(len(window)), "limit": str(limit)}),
                    _day_opening(leaves, pack, zone),
                )
            )
    days = pack.days_after_conversation
    if days is not None:
        conversations = [c for c in calls if c.outcome == CONVERSATION]
        if conversations:
            talked_on = _local_day(conversations[-1].at, zone)
            if (today - talked_on).days < days:
                found.append(
                    (
                        Reason(
                            AFTER_CONVERSATION,
                            {"day": talked_on.isoformat(), "days": str(days)},
                        ),
                        _day_opening(talked_on + timedelta(days=days), pack, zone),
                    )
                )
    return found


def _at(contact: PastContact) -> datetime:
    return contact.at


def _standing_reasons(pack: PolicyPack, proposed: Proposed, situation: Situation) -> list[Reason]:
    """Reasons that time alone does not clear."""
    found: list[Reason] = []
    for kind, channel in situation.holds:
        if kind in FULL_HOLDS:
            found.append(Reason(HOLD, {"kind": kind}))
        elif kind == LITIGATION and proposed.channel != LEGAL:
            found.append(Reason(HOLD_LITIGATION))
        elif kind == OPT_OUT and channel == proposed.channel:
            found.append(Reason(OPTED_OUT, {"channel": channel}))
    if proposed.channel in pack.opt_out_required and not proposed.has_opt_out_line:
        found.append(Reason(OPT_OUT_LINE, {"channel": proposed.channel}))
    if proposed.channel == VISIT and pack.visit_min_staff and proposed.staff < pack.visit_min_staff:
        found.append(Reason(VISIT_STAFF, {"staff": str(pack.visit_min_staff)}))
    if proposed.role not in LIABLE_ROLES:
        if proposed.role != CONTACT_PERSON:
            found.append(Reason(NOT_A_PARTY, {"role": proposed.role or "this party"}))
        elif pack.third_party_rules:
            found.extend(_third_party_reasons(pack, proposed, situation))
    return found


def _third_party_reasons(
    pack: PolicyPack, proposed: Proposed, situation: Situation
) -> list[Reason]:
    found: list[Reason] = []
    if proposed.purpose != PASS_MESSAGE:
        found.append(Reason(PURPOSE_PASS_MESSAGE))
    if any(c.outcome == REFUSED for c in situation.history):
        found.append(Reason(CONTACT_PERSON_REFUSED))
    needed = pack.failed_attempts_unreachable
    last_calls = sorted((c for c in situation.debtor_history if c.channel == CALL), key=_at)[
        -needed:
    ]
    failed = len(last_calls) == needed and all(c.outcome == NO_ANSWER for c in last_calls)
    if not (situation.debtor_numbers_all_invalid or failed):
        found.append(Reason(DEBTOR_REACHABLE, {"attempts": str(needed)}))
    return found


def evaluate(pack: PolicyPack, proposed: Proposed, situation: Situation) -> Decision:
    """Allowed, or blocked with every reason and when it would next be allowed.

    ``next_allowed_at`` is the earliest moment at or after the proposed one when every
    time-bound reason has cleared (found by stepping to each reason's end in turn); None
    when a reason that time does not clear stands. A ``VERIFICATION`` message to a liable
    party is always allowed (see ``VERIFICATION``); to anyone else it is judged as any other.
    """
    if (
        proposed.purpose == VERIFICATION
        and proposed.channel in VERIFICATION_CHANNELS
        and proposed.role in LIABLE_ROLES
    ):
        return Decision(True)
    standing = _standing_reasons(pack, proposed, situation)
    timed = _timed_reasons(pack, proposed, situation, proposed.at)
    reasons = standing + [reason for reason, _ in timed]
    if not reasons:
        return Decision(True)
    if standing:
        return Decision(False, reasons)
    moment = proposed.at
    for _ in range(60):  # each step moves past at least one reason's end
        pending = _timed_reasons(pack, proposed, situation, moment)
        if not pending:
            return Decision(False, reasons, moment)
        moment = max(until for _, until in pending)
    return Decision(False, reasons)
