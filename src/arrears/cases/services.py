"""Writes of the cases app: recording contacts and promises, holds from the case page,
audited reveals of personal data (the daily cycle's writes are in ``batch``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.cases.choices import (
    ContactOutcome,
    DelinquencyReason,
    PartyReached,
    PromiseStatus,
    WorkItemStatus,
)
from arrears.cases.models import Activity, CollectionCase, Promise, WorkItem
from arrears.compliance.choices import Channel, HoldKind
from arrears.compliance.models import Hold
from arrears.compliance.rules import CONVERSATION, NO_ANSWER, PASS_MESSAGE, REFUSED
from arrears.compliance.services import contact_attempt_record, contact_check, hold_place
from arrears.core.audit import audit_record
from arrears.core.errors import InvalidInput
from arrears.portfolio.choices import ContactStatus, PartyRole
from arrears.portfolio.models import ContactPoint, LoanParty, Party
from arrears.portfolio.services import contact_point_invalidate

# Outcomes in which nobody answered for the party: the gate counts them as attempts only.
UNANSWERED = frozenset(
    {
        ContactOutcome.NO_ANSWER,
        ContactOutcome.BUSY,
        ContactOutcome.WRONG_NUMBER,
        ContactOutcome.NUMBER_INVALID,
    }
)
# Outcomes that prove the number does not reach the party.
INVALIDATING = frozenset({ContactOutcome.WRONG_NUMBER, ContactOutcome.NUMBER_INVALID})
# Outcomes that stop contact at once through a compliance hold of the same name. Hardship
# has no hold kind in the compliance gate, so it stays an outcome (and a reason) only.
HOLD_OUTCOMES = {
    ContactOutcome.DISPUTE: HoldKind.DISPUTE,
    ContactOutcome.DECEASED: HoldKind.DECEASED,
}
# The holds a person may place from the case page.
PAGE_HOLD_KINDS = (HoldKind.DISPUTE, HoldKind.COMPLAINT, HoldKind.HARDSHIP, HoldKind.DECEASED)
MAX_PROMISE_DAYS = 90


@transaction.atomic
def work_items_cancel_for_case(*, case_id: int) -> int:
    """Withdraw the case's open work items (the case was paused or moved)."""
    return WorkItem.objects.filter(case_id=case_id, status=WorkItemStatus.OPEN).update(
        status=WorkItemStatus.CANCELLED, closed_at=timezone.now()
    )


@dataclass(frozen=True)
class ActivityResult:
    """What came of recording a contact: the activity (None when the gate refused it), the
    promise taken, the hold placed, and the gate's reasons and next allowed time."""

    activity: Activity | None
    allowed: bool
    reasons: list[str] = field(default_factory=list)
    next_allowed_at: datetime | None = None
    promise: Promise | None = None
    hold: Hold | None = None
    work_items_done: int = 0


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


def _party_role(case: CollectionCase, party: Party) -> str:
    role = (
        LoanParty.objects.filter(loan_id=case.loan_id, party=party)
        .order_by("pk")
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise InvalidInput(_("this person is not a party to the case's loan"), field="party")
    return role


def _gate_outcome(*, role: str, party_reached: str, outcome: str) -> str:
    """The compliance gate's word for what happened: a conversation with the party counts
    against the day's cap; an attempt that reached someone else or nobody does not; a
    contact person declining is remembered so they are not asked again."""
    if role == PartyRole.CONTACT_PERSON and outcome == ContactOutcome.REFUSED:
        return REFUSED
    if outcome in UNANSWERED or party_reached in (PartyReached.NOBODY, PartyReached.THIRD_PARTY):
        return NO_ANSWER
    return CONVERSATION


def _validate_contact(
    *,
    case: CollectionCase,
    party: Party,
    channel: str,
    party_reached: str,
    outcome: str,
    reason: str,
    contact_point: ContactPoint | None,
    promise_amount: int | None,
    promise_due_on: date | None,
    on: date,
) -> None:
    if channel not in Channel.values:
        raise InvalidInput(_("choose a channel"), field="channel")
    if party_reached not in PartyReached.values:
        raise InvalidInput(_("say whom you reached"), field="party_reached")
    if outcome not in ContactOutcome.values:
        raise InvalidInput(_("choose an outcome"), field="outcome")
    if reason and reason not in DelinquencyReason.values:
        raise InvalidInput(_("choose a reason from the list"), field="reason")
    if contact_point is not None and contact_point.party_id != party.pk:
        raise InvalidInput(_("this contact point belongs to someone else"), field="contact_point")
    if outcome == ContactOutcome.PROMISE:
        _validate_promise(amount=promise_amount, due_on=promise_due_on, on=on)
    if case.status != "open":
        raise InvalidInput(_("the case is closed"), field="case")


def _validate_promise(*, amount: int | None, due_on: date | None, on: date) -> None:
    if amount is None or amount <= 0:
        raise InvalidInput(_("a promise needs an amount above zero"), field="promise_amount")
    if due_on is None:
        raise InvalidInput(_("a promise needs the date it will be paid by"), field="promise_due_on")
    if due_on < on:
        raise InvalidInput(_("the promised date is in the past"), field="promise_due_on")
    if due_on > on + timedelta(days=MAX_PROMISE_DAYS):
        raise InvalidInput(
            _("a promise is at most %(days)d days ahead; offer a repayment plan instead")
            % {"days": MAX_PROMISE_DAYS},
            field="promise_due_on",
        )


@transaction.atomic
def activity_record(
    *,
    case: CollectionCase,
    party: Party,
    channel: str,
    party_reached: str,
    outcome: str,
    by: User,
    at: datetime,
    on: date,
    contact_point: ContactPoint | None = None,
    reason: str = "",
    notes: str = "",
    next_follow_up_at: datetime | None = None,
    promise_amount: int | None = None,
    promise_due_on: date | None = None,
    promise_tolerance_days: int = 2,
    staff: int = 1,
) -> ActivityResult:
    """Record a contact made on ``case`` with ``party`` at ``at`` (business date ``on``).

    The compliance gate judges the contact first (``contact_check`` with the visit's
    ``staff`` and, for an emergency contact, the pass-a-message purpose): a refused contact
    stores only the refusal and returns its reasons and next allowed time, with no
    activity. An allowed one is counted by the gate (``contact_attempt_record``) and
    recorded as an ``Activity`` sealed with the SHA-256 of its content. Then: the reason
    sets the case's reason for delinquency; a wrong or invalid number marks the contact
    point invalid; a promise is taken (``promise_create``); a dispute or a death places the
    matching hold; the case's open work items for this party and channel due by the end of
    ``on`` are done.
    """
    _validate_contact(
        case=case,
        party=party,
        channel=channel,
        party_reached=party_reached,
        outcome=outcome,
        reason=reason,
        contact_point=contact_point,
        promise_amount=promise_amount,
        promise_due_on=promise_due_on,
        on=on,
    )
    role = _party_role(case, party)
    number = contact_point.value if contact_point is not None else ""
    # The gate's check, then the gate's record: ``contact_attempt_record`` with its own
    # check would not pass the staff of a visit or a contact person's purpose.
    decision = contact_check(
        loan=case.loan,
        party=party,
        channel=channel,
        at=at,
        purpose=PASS_MESSAGE if role == PartyRole.CONTACT_PERSON else "",
        number=number,
        staff=staff,
        asked_by=by.get_username(),
    )
    if not decision.allowed:
        return ActivityResult(
            activity=None,
            allowed=False,
            reasons=list(decision.reasons),
            next_allowed_at=decision.next_allowed_at,
        )
    attempt, _decision = contact_attempt_record(
        loan=case.loan,
        party=party,
        channel=channel,
        at=at,
        outcome=_gate_outcome(role=role, party_reached=party_reached, outcome=outcome),
        number=number,
        by=by.get_username(),
        enforce=False,
    )
    assert attempt is not None
    activity = Activity(
        case=case,
        party=party,
        contact_point=contact_point,
        channel=channel,
        party_reached=party_reached,
        outcome=outcome,
        reason=reason,
        notes=notes.strip(),
        next_follow_up_at=next_follow_up_at,
        attempt_id=attempt.pk,
        by=by,
        at=at,
    )
    activity.sha256 = activity_digest(activity)
    activity.save()
    if reason and case.delinquency_reason != reason:
        case.delinquency_reason = reason
        case.save(update_fields=["delinquency_reason", "updated_at"])
    if contact_point is not None and outcome in INVALIDATING:
        contact_point_invalidate(contact_point_id=contact_point.pk)
        contact_point.status = ContactStatus.INVALID
    promise = None
    if outcome == ContactOutcome.PROMISE:
        assert promise_amount is not None and promise_due_on is not None
        promise = promise_create(
            case=case,
            party=party,
            amount=promise_amount,
            due_on=promise_due_on,
            by=by,
            on=on,
            tolerance_days=promise_tolerance_days,
            activity=activity,
        )
    hold = None
    if outcome in HOLD_OUTCOMES:
        hold = case_hold_place(
            case=case,
            kind=HOLD_OUTCOMES[ContactOutcome(outcome)],
            reason=notes.strip() or str(ContactOutcome(outcome).label),
            by=by,
            party=party,
        )
    zone = timezone.get_current_timezone()
    end_of_day = datetime.combine(on + timedelta(days=1), time.min, tzinfo=zone)
    # The work item carries its planned action's id: the strategy reads a done work item
    # as its action carried out, so recording the contact is all this app does.
    done = WorkItem.objects.filter(
        case=case, party=party, type=channel, status=WorkItemStatus.OPEN, due_at__lt=end_of_day
    ).update(status=WorkItemStatus.DONE, closed_at=timezone.now())
    return ActivityResult(
        activity=activity, allowed=True, promise=promise, hold=hold, work_items_done=done
    )


@transaction.atomic
def promise_create(
    *,
    case: CollectionCase,
    party: Party,
    amount: int,
    due_on: date,
    by: User,
    on: date,
    tolerance_days: int = 2,
    activity: Activity | None = None,
) -> Promise:
    """Take ``party``'s promise to pay ``amount`` fen on the case's loan by ``due_on``.

    The daily cycle later marks it kept or broken (``tolerance_days`` after ``due_on``). A
    new promise replaces the case's open one, which is cancelled: the collector follows the
    latest word. Audited as ``promise.create``.
    """
    _validate_promise(amount=amount, due_on=due_on, on=on)
    if tolerance_days < 0 or tolerance_days > 30:
        raise InvalidInput(_("the tolerance is 0 to 30 days"), field="promise_tolerance_days")
    _party_role(case, party)
    replaced = list(
        Promise.objects.filter(case=case, status=PromiseStatus.OPEN).values_list("pk", flat=True)
    )
    if replaced:
        Promise.objects.filter(pk__in=replaced).update(
            status=PromiseStatus.CANCELLED, resolved_on=on, updated_at=timezone.now()
        )
    promise = Promise.objects.create(
        case=case,
        loan_id=case.loan_id,
        party_id=party.pk,
        amount=amount,
        made_on=on,
        due_on=due_on,
        tolerance_days=tolerance_days,
        activity_id=activity.pk if activity is not None else None,
        by=by,
    )
    audit_record(
        actor=by,
        action="promise.create",
        subject_type="case",
        subject_id=case.pk,
        data={
            "promise": promise.pk,
            "party": party.pk,
            "amount": amount,
            "due_on": due_on.isoformat(),
            "tolerance_days": tolerance_days,
            "replaced": replaced,
        },
    )
    return promise


@transaction.atomic
def case_hold_place(
    *, case: CollectionCase, kind: str, reason: str, by: User, party: Party | None = None
) -> Hold:
    """Stop contact on the case's loan (or with one of its parties) at once: a dispute, a
    complaint under review, a hardship pause (illness, disaster, job loss: contact stops
    while a plan is worked out), or a death. Placed through the compliance gate's holds, so every
    planned and manual contact is refused while it stands. Audited as ``hold.place``."""
    if kind not in PAGE_HOLD_KINDS:
        raise InvalidInput(_("choose dispute, complaint, hardship or deceased"), field="kind")
    if party is not None:
        _party_role(case, party)
    hold = hold_place(
        kind=kind,
        reason=reason,
        party=party,
        loan=case.loan if party is None else None,
        placed_by=by,
    )
    audit_record(
        actor=by,
        action="hold.place",
        subject_type="case",
        subject_id=case.pk,
        data={"hold": hold.pk, "kind": kind, "party": party.pk if party else None},
    )
    return hold
