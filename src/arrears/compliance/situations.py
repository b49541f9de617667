"""The one reader of parties' compliance situations: ``party_situations``.

A situation is what the gate knows about a party when a contact with it is judged: its
creditor's policy (pack, zone, quiet days), the holds on the party or the loan, the party's
recent contacts and, for a contact person, whether the loan's debtors are unreachable and
whether the contact person ever refused. Every judge of a contact reads it here: the gate
for one contact, the batch gate for a day's plan or an outbox claim, the audit for a
period's journal, the case page for each party of a loan.

Set-based: a fixed number of queries whatever the number of subjects (policies, holds,
history; two or three more when contact persons are among them), and an id set of any size
travels as one parameter. Only what the rules can use is read (``evaluate`` looks at the
history only for calls and contact persons, at the debtors only for contact persons under a
pack with third-party rules), so a day's messages to liable parties cost no history read.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import F, Q, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber

from arrears.compliance.models import ContactAttempt, Hold
from arrears.compliance.policies import Policy, holidays_around, policies_of
from arrears.compliance.rules import (
    CALL,
    CONTACT_PERSON,
    LIABLE_ROLES,
    REFUSED,
    PastContact,
    Situation,
)
from arrears.portfolio.choices import ContactKind, ContactStatus
from arrears.portfolio.models import ContactPoint

# Every rule looks back at most this far (Reg F's seven days, with a margin for zones).
HISTORY_DAYS = 9
# The liable parties whose reachability decides whether a contact person may be called
# (a guarantor's unanswered phone does not make the borrower unreachable).
DEBTOR_ROLES = ("borrower", "co_borrower")
# How many of the debtors' latest calls are read (every pack's
# ``failed_attempts_unreachable`` is at most this).
DEBTOR_CALLS = 3
# Up to this many ids go inline as ``IN (…)``; a larger set is one JSON parameter, since
# SQLite refuses a statement with more than 32,766 parameters.
INLINE_IDS = 500
_FIELDS = ("pk", "at", "channel", "outcome", "number", "by")
_LOAN = "party__loan_roles__loan_id"  # a contact's or phone's loan, through its party's roles

Position = tuple[datetime, int]  # (at, id): a contact's place in the journal's order


@dataclass(frozen=True)
class Subject:
    """Whose situation is asked for: a party on a loan at a moment (aware).

    ``role`` (the party's role on the loan) and ``channel`` say what the rules will need;
    "" when unknown, and everything is read. ``attempt_id`` names a contact already on the
    journal, judged as at its own moment (the audit): its history is what came before it
    and its holds those in force then. Otherwise what is known now counts: the holds in
    force now and every contact since ``HISTORY_DAYS`` before the moment.
    """

    creditor_id: int
    loan_id: int
    party_id: int
    at: datetime
    role: str = ""
    channel: str = ""
    attempt_id: int | None = None

    @property
    def before(self) -> Position | None:
        """Where a recorded subject's history stops (None: it does not)."""
        return None if self.attempt_id is None else (self.at, self.attempt_id)


@dataclass(frozen=True)
class PartySituation:
    """What the gate judges a contact with: the creditor's policy and the party's situation
    (hashable, so equal situations can share one evaluation)."""

    policy: Policy
    situation: Situation


class _Journal:
    """Contacts in journal order, cut by position with a binary search."""

    def __init__(self) -> None:
        self.keys: list[Position] = []
        self.contacts: list[PastContact] = []

    def add(self, pk: int, at: datetime, channel: str, outcome: str, number: str, by: str) -> None:
        self.keys.append((at, pk))
        self.contacts.append(PastContact(at, channel, outcome, number, by))

    def _end(self, at: datetime, before: Position | None) -> int:
        """Where the contacts at or before ``at`` end (those before ``before``, if given)."""
        if before is None:
            return bisect_right(self.keys, at, key=itemgetter(0))
        return bisect_left(self.keys, before)

    def between(self, since: datetime, before: Position | None) -> tuple[PastContact, ...]:
        """The contacts from ``since`` on, stopping at ``before`` (if given)."""
        low = bisect_left(self.keys, since, key=itemgetter(0))
        high = len(self.keys) if before is None else bisect_left(self.keys, before)
        return tuple(self.contacts[low:high])

    def first_refusal_before(self, since: datetime) -> tuple[PastContact, ...]:
        """The first refusal before ``since``: a contact person's refusal stands for good."""
        low = bisect_left(self.keys, since, key=itemgetter(0))
        return next(((c,) for c in self.contacts[:low] if c.outcome == REFUSED), ())

    def latest(self, at: datetime, before: Position | None, count: int) -> tuple[PastContact, ...]:
        """The ``count`` latest contacts at or before ``at`` (before ``before``, if given)."""
        high = self._end(at, before)
        return tuple(self.contacts[max(0, high - count) : high])


_NOBODY = _Journal()


class _Hold(NamedTuple):
    pk: int
    party_id: int | None
    loan_id: int | None
    kind: str
    channel: str
    created_at: datetime
    lifted_at: datetime | None


def id_set(ids: Collection[int]) -> list[int] | RawSQL:
    """``ids`` for an ``__in`` lookup: inline when few, else one JSON array parameter."""
    if len(ids) <= INLINE_IDS:
        return sorted(ids)
    if connection.vendor == "postgresql":
        sql = "SELECT CAST(jsonb_array_elements_text(CAST(%s AS jsonb)) AS bigint)"
    else:
        sql = "SELECT value FROM json_each(%s)"
    return RawSQL(sql, [json.dumps(sorted(ids))])


def _needs_history(subject: Subject) -> bool:
    return subject.channel in ("", CALL) or subject.role not in LIABLE_ROLES


def _needs_reachability(subject: Subject, policy: Policy) -> bool:
    return subject.role in ("", CONTACT_PERSON) and policy.pack.third_party_rules


def _contacts(subjects: Sequence[Subject], refusers: set[int]) -> dict[int, _Journal]:
    """The parties' contacts from ``HISTORY_DAYS`` before the earliest moment (up to the
    latest when every subject is a recorded contact), with the refusals however old of the
    ``refusers``; by party, in journal order. One query."""
    if not subjects:
        return {}
    recent = Q(at__gte=min(s.at for s in subjects) - timedelta(days=HISTORY_DAYS))
    if refusers:
        recent |= Q(party_id__in=id_set(refusers), outcome=REFUSED)
    rows = ContactAttempt.objects.filter(
        recent, party_id__in=id_set({s.party_id for s in subjects})
    )
    if all(s.attempt_id is not None for s in subjects):
        rows = rows.filter(at__lte=max(s.at for s in subjects))
    found: dict[int, _Journal] = defaultdict(_Journal)
    for party_id, *contact in rows.order_by("party_id", "at", "pk").values_list(
        "party_id", *_FIELDS
    ):
        found[party_id].add(*contact)
    return found


class _Holds(NamedTuple):
    by_party: dict[int, list[_Hold]]
    by_loan: dict[int, list[_Hold]]


def _holds(subjects: Sequence[Subject]) -> _Holds:
    """Holds on the subjects' parties or loans, by party and by loan: those in force now,
    and those lifted after the earliest recorded subject's moment. One query."""
    rows = Hold.objects.filter(
        Q(party_id__in=id_set({s.party_id for s in subjects}))
        | Q(loan_id__in=id_set({s.loan_id for s in subjects}))
    )
    recorded = [s.at for s in subjects if s.attempt_id is not None]
    in_force = Q(lifted_at__isnull=True)
    rows = rows.filter(in_force | Q(lifted_at__gt=min(recorded)) if recorded else in_force)
    found = _Holds(defaultdict(list), defaultdict(list))
    for row in rows.values_list(
        "pk", "party_id", "loan_id", "kind", "channel", "created_at", "lifted_at"
    ):
        hold = _Hold(*row)
        if hold.party_id is not None:
            found.by_party[hold.party_id].append(hold)
        if hold.loan_id is not None:
            found.by_loan[hold.loan_id].append(hold)
    return found


def _holds_of(subject: Subject, holds: _Holds) -> tuple[tuple[str, str], ...]:
    """(kind, channel) of each hold on the subject's party or loan in force at its moment,
    newest first; a hold naming both the party and the loan counts once."""
    on_party = holds.by_party.get(subject.party_id, [])
    on_loan = holds.by_loan.get(subject.loan_id, [])
    if not on_party and not on_loan:
        return ()
    at, recorded = subject.at, subject.attempt_id is not None
    kept = {
        hold.pk: hold
        for hold in (*on_party, *on_loan)
        if (hold.lifted_at is None or (recorded and hold.lifted_at > at))
        and (not recorded or hold.created_at <= at)
    }
    ordered = sorted(kept.values(), key=lambda h: (h.created_at, h.pk), reverse=True)
    return tuple((hold.kind, hold.channel) for hold in ordered)


class _Reachability:
    """For contact-person subjects: each loan's debtors' latest calls and whether every
    phone of theirs is invalid. Two queries (three when the subjects' moments differ)."""

    def __init__(self, subjects: Sequence[Subject]) -> None:
        loans = id_set({s.loan_id for s in subjects})
        debtors = {f"{_LOAN}__in": loans, "party__loan_roles__role__in": DEBTOR_ROLES}
        self.phones: dict[int, list[str]] = defaultdict(list)
        for loan_id, status in ContactPoint.objects.filter(
            kind=ContactKind.PHONE, **debtors
        ).values_list(_LOAN, "status"):
            self.phones[loan_id].append(status)
        calls = ContactAttempt.objects.filter(channel=CALL, **debtors)
        first, last = min(s.at for s in subjects), max(s.at for s in subjects)
        if first == last and all(s.attempt_id is None for s in subjects):
            parts = [self._latest(calls.filter(at__lte=first))]
        else:
            # The span's calls, and the latest before it: between them, the latest calls
            # before any moment in the span.
            parts = [
                self._latest(calls.filter(at__lt=first)),
                calls.filter(at__gte=first, at__lte=last),
            ]
        self.calls: dict[int, _Journal] = defaultdict(_Journal)
        seen: set[tuple[int, int]] = set()
        rows = [row for part in parts for row in part.values_list(_LOAN, *_FIELDS)]
        for loan_id, *call in sorted(rows, key=itemgetter(0, 2, 1)):  # loan, at, id
            if (loan_id, call[0]) not in seen:  # a debtor in two debtor roles: one call
                seen.add((loan_id, call[0]))
                self.calls[loan_id].add(*call)

    @staticmethod
    def _latest(calls: QuerySet[ContactAttempt]) -> QuerySet[ContactAttempt]:
        """The ``DEBTOR_CALLS`` latest of ``calls`` per loan."""
        return calls.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F(_LOAN)],
                order_by=[F("at").desc(), F("pk").desc()],
            )
        ).filter(rank__lte=DEBTOR_CALLS)

    def debtor_history(self, subject: Subject) -> tuple[PastContact, ...]:
        """The debtors' latest calls at the subject's moment (before it, when recorded)."""
        return self.calls.get(subject.loan_id, _NOBODY).latest(
            subject.at, subject.before, DEBTOR_CALLS
        )

    def all_invalid(self, subject: Subject) -> bool:
        """Whether the debtors have phones on file and every one is invalid."""
        statuses = self.phones.get(subject.loan_id, [])
        return bool(statuses) and all(s == ContactStatus.INVALID for s in statuses)


def _quiet_days(subjects: Sequence[Subject], policies: dict[int, Policy]) -> frozenset[date]:
    """The holidays around every local day (in its debtors' zone) of the subjects whose
    policy keeps them quiet: one window, shared."""
    days = [
        s.at.astimezone(ZoneInfo(policies[s.creditor_id].zone)).date()
        for s in subjects
        if policies[s.creditor_id].quiet_holidays
    ]
    return holidays_around(min(days), max(days)) if days else frozenset()


def party_situations(subjects: Sequence[Subject]) -> list[PartySituation]:
    """Each subject's policy and situation, in order, read in a fixed number of queries.

    The history is the party's contacts (on any loan, by anyone collecting) from
    ``HISTORY_DAYS`` before the moment; the holds those on the party or the loan; the quiet
    days ``policies.holidays_around`` the subjects' local days when the policy keeps them.
    A contact person's history also holds their first refusal however old, and their
    situation the debtors' latest calls (however old) and whether every debtor phone is
    invalid.
    """
    if not subjects:
        return []
    policies = policies_of(s.creditor_id for s in subjects)
    quiet = _quiet_days(subjects, policies)
    holds = _holds(subjects)
    third = [s for s in subjects if _needs_reachability(s, policies[s.creditor_id])]
    history = _contacts(
        [s for s in subjects if _needs_history(s)], refusers={s.party_id for s in third}
    )
    reach = _Reachability(third) if third else None
    found = []
    for subject in subjects:
        policy = policies[subject.creditor_id]
        since = subject.at - timedelta(days=HISTORY_DAYS)
        journal = history.get(subject.party_id, _NOBODY)
        past = journal.between(since, subject.before)
        days = quiet if policy.quiet_holidays else frozenset()
        if reach is None or not _needs_reachability(subject, policy):
            situation = Situation(
                policy.zone, history=past, holds=_holds_of(subject, holds), quiet_days=days
            )
        else:
            situation = Situation(
                policy.zone,
                history=journal.first_refusal_before(since) + past,
                debtor_history=reach.debtor_history(subject),
                debtor_numbers_all_invalid=reach.all_invalid(subject),
                holds=_holds_of(subject, holds),
                quiet_days=days,
            )
        found.append(PartySituation(policy, situation))
    return found
