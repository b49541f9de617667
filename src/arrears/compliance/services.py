"""The compliance gate's writes: checking a contact (and storing every refusal), recording
contacts, placing and lifting holds.

One debtor is judged at a time: a check and the insert it allows happen under the party's
gate lock (``contact_lock``), taken in the caller's transaction before the situation is
read, so concurrent requests for one borrower are judged one after the other and no
interleaving exceeds a cap (fifty concurrent posts once made five conversations of three).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from arrears.compliance.debtor_lock import debtors_lock
from arrears.compliance.models import ContactAttempt, ContactRefusal, Hold
from arrears.compliance.rules import CONTACT_PERSON, Decision, Proposed, Situation, evaluate
from arrears.compliance.selectors import Subject, party_situations
from arrears.compliance.situations import DEBTOR_ROLES
from arrears.core.errors import InvalidInput
from arrears.portfolio.models import Loan, LoanParty, Party


def _role_of(loan: Loan, party: Party) -> str:
    role = (
        LoanParty.objects.filter(loan=loan, party=party)
        .order_by("pk")
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise InvalidInput(f"{party} is not a party to loan {loan.loan_id}", field="party")
    return role


def _lock(loan: Loan, party: Party, role: str) -> None:
    # A contact person is judged on the debtors' calls too (are they unreachable?), so a
    # call to the borrower must not slip in between; liable parties are judged on their own.
    ids = [party.pk]
    if role == CONTACT_PERSON:
        ids.extend(
            LoanParty.objects.filter(loan=loan, role__in=DEBTOR_ROLES).values_list(
                "party_id", flat=True
            )
        )
    debtors_lock(ids)


@transaction.atomic
def contact_lock(*, loan: Loan, party: Party) -> None:
    """Hold the gate lock of ``party`` (and, for a contact person, of the loan's debtors)
    until the caller's transaction ends. Take it first, before any read of the party's
    contacts, in the transaction that will record the contact: every lock at once, in id
    order, so two callers cannot deadlock. Taking it again later in the same transaction
    (``contact_check`` does) costs nothing."""
    _lock(loan, party, _role_of(loan, party))


def _whole_day(situation: Situation, at: datetime) -> Situation:
    """``situation`` with the party's later contacts of ``at``'s day moved to ``at``.

    The rules count a day's contacts up to the moment judged; for a contact recorded late
    that would ignore what came after it that day (three conversations at 11:00, 12:00 and
    13:00, then one recorded for 09:00). A cap is a cap of the day: the day's later contacts
    count as if already made. For a contact judged now there are none, and nothing changes.
    Contacts of later days are left where they are. Under Regulation F this also refuses a
    late call on the day of a later conversation (the seven quiet days start that day):
    stricter than the rule, never looser.
    """
    later = [c for c in situation.history if c.at > at]
    if not later:
        return situation
    zone = ZoneInfo(situation.time_zone)
    day = at.astimezone(zone).date()
    history = tuple(
        dataclasses.replace(c, at=at) if c.at > at and c.at.astimezone(zone).date() == day else c
        for c in situation.history
    )
    return dataclasses.replace(situation, history=history)


@transaction.atomic
def contact_check(
    *,
    loan: Loan,
    party: Party,
    channel: str,
    at: datetime,
    purpose: str = "",
    number: str = "",
    staff: int = 1,
    has_opt_out_line: bool = True,
    asked_by: str = "",
) -> Decision:
    """May ``party`` be contacted about ``loan`` on ``channel`` at ``at``?

    Every automated and manual contact asks here first; a refusal is stored with every
    reason before the answer returns. The situation is read by ``party_situations``, as
    for every other judge of a contact, under the party's gate lock (``contact_lock``):
    a caller that records the contact in the same transaction does so before anyone else
    is judged. A contact recorded late is judged against the whole of its day
    (``_whole_day``).
    """
    if timezone.is_naive(at):
        raise InvalidInput("the time must carry its zone (e.g. 2026-07-01T10:00+08:00)", field="at")
    role = _role_of(loan, party)
    _lock(loan, party, role)
    found = party_situations(
        [
            Subject(
                creditor_id=loan.creditor_id,
                loan_id=loan.pk,
                party_id=party.pk,
                at=at,
                role=role,
                channel=channel,
            )
        ]
    )[0]
    proposed = Proposed(
        at=at,
        channel=channel,
        role=role,
        purpose=purpose,
        number=number,
        staff=staff,
        has_opt_out_line=has_opt_out_line,
    )
    decision = evaluate(found.policy.pack, proposed, _whole_day(found.situation, at))
    if not decision.allowed:
        ContactRefusal.objects.create(
            loan=loan,
            party=party,
            role=role,
            channel=channel,
            purpose=purpose,
            at=at,
            reasons=decision.stored_reasons(),
            next_allowed_at=decision.next_allowed_at,
            asked_by=asked_by,
        )
    return decision


@transaction.atomic
def contact_attempt_record(
    *,
    loan: Loan,
    party: Party,
    channel: str,
    at: datetime,
    outcome: str,
    number: str = "",
    by: str = "",
    enforce: bool = True,
) -> tuple[ContactAttempt | None, Decision]:
    """Record a contact made (or attempted), so the gate counts it from now on.

    A contact the gate refuses is not logged as made (no path around the gate): the
    answer is (None, the refusal), and the refusal is stored. Nothing is raised, so a
    caller's transaction keeps the stored refusal. ``enforce=False`` is for facts reported
    after the event (an agency's contact report): they are kept as evidence, and
    ``arrears compliance audit`` lists any breach among them. The party's gate lock is
    held from the check to the insert (until the caller's transaction ends).
    """
    role = _role_of(loan, party)
    _lock(loan, party, role)
    decision = Decision(True)
    if enforce:
        decision = contact_check(
            loan=loan, party=party, channel=channel, at=at, number=number, asked_by=by
        )
        if not decision.allowed:
            return None, decision
    attempt = ContactAttempt.objects.create(
        loan=loan,
        party=party,
        role=role,
        channel=channel,
        number=number,
        at=at,
        outcome=outcome,
        by=by,
    )
    return attempt, decision


@transaction.atomic
def hold_place(
    *,
    kind: str,
    reason: str,
    party: Party | None = None,
    loan: Loan | None = None,
    channel: str = "",
    placed_by: Any = None,
) -> Hold:
    """Stop contact with ``party`` (or about ``loan``) until the hold is lifted."""
    if party is None and loan is None:
        raise InvalidInput("a hold needs a party or a loan", field="party")
    if not reason.strip():
        raise InvalidInput("say why the hold is placed", field="reason")
    if kind == "opt_out" and not channel:
        raise InvalidInput("an opt-out names its channel", field="channel")
    return Hold.objects.create(
        kind=kind,
        reason=reason.strip(),
        party=party,
        loan=loan,
        channel=channel,
        placed_by=placed_by,
    )


@transaction.atomic
def hold_lift(*, hold: Hold, lifted_by: Any = None) -> Hold:
    """End a hold; the row stays as the record of when it applied."""
    if hold.lifted_at is None:
        hold.lifted_at = timezone.now()
        hold.lifted_by = lifted_by
        hold.save(update_fields=["lifted_at", "lifted_by", "updated_at"])
    return hold
