"""Closing a case outside the daily cycle: the shared close itself (spell ended, open work
withdrawn), and the two reasons only a person can give — the borrower died (``deceased``,
a manager, after a deceased hold) and the legal proceedings ended (``legal_terminated``,
e.g. 终结本次执行, a legal officer or a manager). Both are audited and never reopen."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.cases.choices import CaseStatus, CloseReason, WorkItemStatus
from arrears.cases.models import CaseBucketSpell, CollectionCase, WorkItem
from arrears.compliance.choices import HoldKind
from arrears.compliance.models import Hold
from arrears.core.audit import audit_record
from arrears.core.errors import Forbidden, InvalidInput
from arrears.portfolio.choices import PartyRole
from arrears.portfolio.models import LoanParty


def case_close(*, case: CollectionCase, reason: str, on: date) -> None:
    """Close the open ``case`` on ``on`` (or the day it opened, when later) for ``reason``:
    its open bucket spell ends and its open work is withdrawn. Call in a transaction."""
    closed_on = max(on, case.reopened_on or case.opened_on)
    CaseBucketSpell.objects.filter(case=case, left_on__isnull=True).update(left_on=closed_on)
    WorkItem.objects.filter(case=case, status=WorkItemStatus.OPEN).update(
        status=WorkItemStatus.CANCELLED, closed_at=timezone.now()
    )
    CollectionCase.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED,
        closed_on=closed_on,
        close_reason=reason,
        updated_on=closed_on,
        updated_at=timezone.now(),
    )
    case.status, case.closed_on, case.close_reason = CaseStatus.CLOSED, closed_on, reason


def deceased_hold_exists(case: CollectionCase) -> bool:
    """Is a deceased hold in force on the case's borrower (or on its loan)?"""
    borrowers = LoanParty.objects.filter(loan_id=case.loan_id, role=PartyRole.BORROWER)
    return Hold.objects.filter(
        Q(party_id__in=borrowers.values("party_id")) | Q(loan_id=case.loan_id),
        kind=HoldKind.DECEASED,
        lifted_at__isnull=True,
    ).exists()


@transaction.atomic
def case_close_by_person(
    *, case: CollectionCase, by: User, reason: str, note: str, on: date
) -> CollectionCase:
    """Close ``case`` as ``deceased`` or ``legal_terminated`` with ``note`` saying why
    (which death certificate, which court ruling). Refused for another reason, without the
    capability, for a closed case, without a note, or — for deceased — without a deceased
    hold in force."""
    capability = {
        CloseReason.DECEASED.value: "case_close_deceased",
        CloseReason.LEGAL_TERMINATED.value: "case_close_legal",
    }.get(reason)
    if capability is None:
        raise InvalidInput(_("choose deceased or legal proceedings ended"), field="reason")
    if not role_can(by.role, capability):
        raise Forbidden(refusal(by.role, capability))
    case = CollectionCase.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.OPEN:
        raise InvalidInput(_("the case is closed already"), field="case")
    if not note.strip():
        raise InvalidInput(_("say why the case closes (certificate, ruling …)"), field="note")
    if reason == CloseReason.DECEASED and not deceased_hold_exists(case):
        raise InvalidInput(
            _("place a deceased hold on the borrower first: the death must be on record"),
            field="reason",
        )
    case_close(case=case, reason=reason, on=on)
    audit_record(
        actor=by,
        action="case.close",
        subject_type="case",
        subject_id=case.pk,
        data={"reason": reason, "note": note.strip(), "on": on.isoformat()},
    )
    return case
