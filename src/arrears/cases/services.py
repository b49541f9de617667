"""Writes of the cases app: recording contacts and promises, holds from the case page
(the daily cycle's writes are in ``batch``; reveals in ``reveal_services``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.cases.activity_seal import activity_content, activity_digest
from arrears.cases.choices import (
    ContactOutcome,
    DelinquencyReason,
    PartyReached,
    WorkItemStatus,
)
from arrears.cases.contact_time import contact_time_check, work_due_by
from arrears.cases.models import Activity, CollectionCase, Promise, WorkItem
from arrears.cases.parties import case_party_role
from arrears.cases.promise_services import MAX_PROMISE_DAYS, promise_create, promise_validate
from arrears.compliance.choices import Channel, HoldKind
from arrears.compliance.models import Hold
from arrears.compliance.rules import CONVERSATION, NO_ANSWER, PASS_MESSAGE, REFUSED, Reason
from arrears.compliance.services import (
    contact_attempt_record,
    contact_check,
    contact_lock,
    hold_place,
)
from arrears.core.audit import audit_record
from arrears.core.bounds import date_check
from arrears.core.errors import InvalidInput
from arrears.portfolio.choices import ContactStatus, PartyRole
from arrears.portfolio.models import ContactPoint, Party
from arrears.portfolio.services import contact_point_invalidate

__all__ = [
    "HOLD_OUTCOMES",
    "MAX_PROMISE_DAYS",
    "PAGE_HOLD_KINDS",
    "ActivityResult",
    "activity_content",
    "activity_digest",
    "activity_record",
    "case_hold_place",
    "promise_create",
    "work_items_cancel_for_case",
]

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
    reasons: list[str] = field(default_factory=list)  # in English (``refusals`` for words)
    next_allowed_at: datetime | None = None
    # The gate's reasons as codes and parameters (``compliance.reasons`` puts them into the
    # reader's language).
    refusals: list[Reason] = field(default_factory=list)
    promise: Promise | None = None
    hold: Hold | None = None
    work_items_done: int = 0


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
    next_follow_up_at: datetime | None,
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
    if contact_point is not None and contact_point.status == ContactStatus.INVALID:
        # A point found invalid is never dialled, texted, mailed or visited again.
        raise InvalidInput(
            _("this contact point was found invalid: it is not contacted again"),
            field="contact_point",
        )
    if case.status != "open":
        raise InvalidInput(_("the case is closed"), field="case")
    if next_follow_up_at is not None:
        # Year 9999 in a zone west of UTC overflows when the seal converts it to UTC.
        date_check(next_follow_up_at, field="next_follow_up_at")
    if outcome == ContactOutcome.PROMISE:
        promise_validate(case=case, amount=promise_amount, due_on=promise_due_on, on=on)


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

    ``at`` keeps the rules of ``contact_time``: not in the future, late only within the
    window and for a role allowed to record late (``InvalidInput`` naming "at"). The
    compliance gate judges the contact first (``contact_check`` with the visit's ``staff``
    and, for an emergency contact, the pass-a-message purpose), under the party's gate
    lock held until the contact is recorded, so concurrent contacts never exceed a cap; a
    late contact is judged against its own day's contacts. A refused contact stores only
    the refusal and returns its reasons and next allowed time, with no activity. An
    allowed one is counted by the gate (``contact_attempt_record``) and recorded as an
    ``Activity`` sealed with the SHA-256 of its content. Then: the reason sets the case's
    reason for delinquency; a wrong or invalid number marks the contact point invalid; a
    promise is taken (``promise_create``); a dispute or a death places the matching hold;
    the case's open work items for this party and channel due by the end of the contact's
    own day (and of ``on``) are done, never a later day's.
    """
    contact_time_check(at=at, on=on, role=by.role)
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
        next_follow_up_at=next_follow_up_at,
        on=on,
    )
    role = case_party_role(case, party)
    # First in the transaction, before the gate reads a contact: released at its end.
    contact_lock(loan=case.loan, party=party)
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
            refusals=list(decision.refusals),
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
    # The work item carries its planned action's id: the strategy reads a done work item
    # as its action carried out, so recording the contact is all this app does. A contact
    # recorded late does yesterday's work, not today's.
    done = WorkItem.objects.filter(
        case=case,
        party=party,
        type=channel,
        status=WorkItemStatus.OPEN,
        due_at__lt=work_due_by(at=at, on=on),
    ).update(status=WorkItemStatus.DONE, closed_at=timezone.now())
    return ActivityResult(
        activity=activity, allowed=True, promise=promise, hold=hold, work_items_done=done
    )


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
        case_party_role(case, party)
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
