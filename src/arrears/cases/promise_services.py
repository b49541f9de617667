"""Promises to pay: their bounds and taking one (the daily cycle judges them in ``batch``)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.cases.choices import PromiseStatus
from arrears.cases.models import Activity, CollectionCase, Promise
from arrears.cases.parties import case_party_role
from arrears.core.audit import audit_record
from arrears.core.bounds import amount_check, date_check
from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan
from arrears.portfolio.models import Party
from arrears.portfolio.selectors import loan_state

# The horizon of a promise: further ahead, a repayment plan is the instrument.
MAX_PROMISE_DAYS = 90


def promise_validate(
    *, case: CollectionCase, amount: int | None, due_on: date | None, on: date
) -> None:
    """Refuse (``InvalidInput`` naming the field) a promise of ``amount`` fen by ``due_on``
    taken on ``on`` that is not above zero, is above the amount ceiling or what the loan
    owes, or falls outside 1900–2100, before ``on`` or beyond the horizon."""
    if amount is None or amount <= 0:
        raise InvalidInput(_("a promise needs an amount above zero"), field="promise_amount")
    amount_check(amount, field="promise_amount", allow_zero=False)
    if due_on is None:
        raise InvalidInput(_("a promise needs the date it will be paid by"), field="promise_due_on")
    date_check(due_on, field="promise_due_on")
    if due_on < on:
        raise InvalidInput(_("the promised date is in the past"), field="promise_due_on")
    if due_on > on + timedelta(days=MAX_PROMISE_DAYS):
        raise InvalidInput(
            _("a promise is at most %(days)d days ahead; offer a repayment plan instead")
            % {"days": MAX_PROMISE_DAYS},
            field="promise_due_on",
        )
    # Everything the loan still owes on ``on`` (overdue, not yet due, penalty), less its
    # credit: the most a payment can settle. One loan's replay, a handful of queries.
    state = loan_state(case.loan, as_of=on)
    owed = sum(item.outstanding.total for item in state.installments) - state.credit_balance
    if amount > owed:
        raise InvalidInput(
            _("a promise may not exceed what the loan owes (%(yuan)s yuan)")
            % {"yuan": format_yuan(max(owed, 0))},
            field="promise_amount",
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

    ``amount`` is above zero, within the amount ceiling and at most what the loan owes on
    ``on``; ``due_on`` from ``on`` to ``MAX_PROMISE_DAYS`` ahead. The daily cycle later
    marks it kept or broken (``tolerance_days`` after ``due_on``). A new promise replaces
    the case's open one, which is cancelled: the collector follows the latest word.
    Audited as ``promise.create``.

    Idempotent for the same promise: when the case's open promise is already this one (the
    same party, amount, due date and tolerance), it is returned as it is: nothing is
    cancelled, created or audited. A double click, a retried request or fifty identical
    concurrent posts make one promise, since the case's row is locked from this check to
    the insert.
    """
    promise_validate(case=case, amount=amount, due_on=due_on, on=on)
    if tolerance_days < 0 or tolerance_days > 30:
        raise InvalidInput(_("the tolerance is 0 to 30 days"), field="promise_tolerance_days")
    case_party_role(case, party)
    # The case's row lock serialises promises on one case (PostgreSQL; SQLite's IMMEDIATE
    # transactions already hold the database's write lock).
    list(CollectionCase.objects.select_for_update().filter(pk=case.pk).values_list("pk"))
    same = (
        Promise.objects.filter(
            case=case,
            status=PromiseStatus.OPEN,
            party_id=party.pk,
            amount=amount,
            due_on=due_on,
            tolerance_days=tolerance_days,
        )
        .order_by("pk")
        .first()
    )
    if same is not None:
        return same
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
