"""Writes of agency placement: contracts, placing a case with an agency, recalling it.

Each service is keyword-only, runs in one transaction and appends its audit entry in it.
Placing a case sets ``CollectionCase.agency`` and returns it from the in-house collector to
no one (the case leaves in-house queues while placed; ``cases.scoping`` hides placed cases
from the lender's collectors); recalling clears the agency, and the case goes back to its
team's pool for assignment.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import Agency, User
from arrears.agencies.choices import CommissionBasis, PlacementStatus, RecallReason
from arrears.agencies.commission import RateLine, bucket_number
from arrears.agencies.models import AgencyContract, AgencyStatement, CommissionRate, Placement
from arrears.agencies.selectors import agency_statement
from arrears.cases.choices import AssignmentRule, CaseStatus, WorkItemStatus
from arrears.cases.models import CaseAssignment, CollectionCase, WorkItem
from arrears.core.audit import audit_record
from arrears.core.errors import InvalidInput
from arrears.portfolio.models import Creditor, LoanPosition

# Work items of this type are the playbook's "place this case with an agency" tasks.
PLACEMENT_TASK = "placement"


def contract_create(
    *,
    agency: Agency,
    creditor: Creditor,
    reference: str,
    valid_from: date,
    valid_to: date | None,
    placement_days: int,
    basis: str,
    rates: Sequence[RateLine],
    by: User | None = None,
) -> AgencyContract:
    """Record a contract and its price lines; refused with the field named when the lines
    do not fit the basis (a bucket contract needs ``M<n>`` buckets, a tier contract a tier
    from 0), a rate is above 100% or the dates are reversed."""
    if basis not in CommissionBasis.values:
        raise InvalidInput(
            _("unknown commission basis %(basis)s") % {"basis": basis}, field="basis"
        )
    if placement_days <= 0:
        raise InvalidInput(_("the placement length must be at least one day"), field="days")
    if valid_to is not None and valid_to < valid_from:
        raise InvalidInput(_("the contract ends before it starts"), field="valid_to")
    if not rates:
        raise InvalidInput(_("a contract needs at least one commission rate"), field="rates")
    for line in rates:
        if not 0 <= line.rate_bp <= 10_000:
            raise InvalidInput(_("a commission rate must be between 0% and 100%"), field="rates")
        if basis == CommissionBasis.BUCKET:
            try:
                bucket_number(line.bucket)
            except ValueError:
                raise InvalidInput(
                    _("%(bucket)s is not a bucket (M1 … M7)") % {"bucket": line.bucket or "-"},
                    field="rates",
                ) from None
    if basis == CommissionBasis.RECOVERED and min(line.from_amount for line in rates) != 0:
        raise InvalidInput(_("the lowest recovered-amount tier must start at 0"), field="rates")
    keys = [(line.bucket, line.from_amount) for line in rates]
    if len(set(keys)) != len(keys):
        raise InvalidInput(_("two commission rates for the same bucket or tier"), field="rates")
    with transaction.atomic():
        if AgencyContract.objects.filter(reference=reference).exists():
            raise InvalidInput(
                _("contract %(reference)s exists already") % {"reference": reference},
                field="reference",
            )
        contract = AgencyContract.objects.create(
            agency=agency,
            creditor=creditor,
            reference=reference,
            valid_from=valid_from,
            valid_to=valid_to,
            placement_days=placement_days,
            basis=basis,
        )
        CommissionRate.objects.bulk_create(
            CommissionRate(
                contract=contract,
                bucket=line.bucket if basis == CommissionBasis.BUCKET else "",
                from_amount=line.from_amount if basis == CommissionBasis.RECOVERED else 0,
                rate_bp=line.rate_bp,
            )
            for line in rates
        )
        audit_record(
            actor=by,
            action="agency.contract_create",
            subject_type="agencies.AgencyContract",
            subject_id=contract.pk,
            data={
                "agency": agency.code,
                "creditor": creditor.name,
                "basis": basis,
                "placement_days": placement_days,
                "rates": [[line.bucket, line.from_amount, line.rate_bp] for line in rates],
            },
        )
    return contract


def contract_for(*, agency: Agency, creditor_id: int, on: date) -> AgencyContract:
    """The agency's contract with the creditor in force on ``on`` (the latest to start)."""
    contract = (
        AgencyContract.objects.filter(agency=agency, creditor_id=creditor_id, valid_from__lte=on)
        .exclude(valid_to__lt=on)
        .order_by("-valid_from", "-id")
        .first()
    )
    if contract is None:
        raise InvalidInput(
            _("%(agency)s has no contract with this creditor in force on %(on)s")
            % {"agency": agency.name, "on": on.isoformat()},
            field="agency",
        )
    return contract


def _amounts(case: CollectionCase) -> tuple[int, int]:
    """(overdue, outstanding) fen of the case's loan from its position: outstanding is the
    unpaid principal plus the overdue interest, fees and penalty."""
    position = LoanPosition.objects.filter(loan_id=case.loan_id).first()
    if position is None:
        return case.entry_amount, case.entry_amount
    charges = position.overdue_interest + position.overdue_fees + position.overdue_penalty
    return position.overdue_principal + charges, position.principal_outstanding + charges


def placement_create(
    *,
    case: CollectionCase,
    agency: Agency,
    on: date,
    by: User | None,
    contract: AgencyContract | None = None,
    work_item: WorkItem | None = None,
) -> Placement:
    """Place the open ``case`` with ``agency`` from ``on`` for the contract's length.

    Records the balance and bucket at placement, sets the case's agency and releases its
    in-house collector (a ``released`` assignment row keeps who had it), closes the
    playbook's open placement tasks of the case and audits. Refused when the case is
    closed or already placed, the agency is inactive, or no contract is in force."""
    with transaction.atomic():
        locked = CollectionCase.objects.select_for_update().filter(pk=case.pk).first()
        if locked is None or locked.status != CaseStatus.OPEN:
            raise InvalidInput(_("only an open case can be placed with an agency"), field="case")
        if (
            locked.agency_id is not None
            or Placement.objects.filter(case_id=locked.pk, status=PlacementStatus.ACTIVE).exists()
        ):
            raise InvalidInput(_("the case is placed with an agency already"), field="case")
        if not agency.is_active:
            raise InvalidInput(
                _("%(agency)s is not active") % {"agency": agency.name}, field="agency"
            )
        if contract is None:
            contract = contract_for(agency=agency, creditor_id=locked.creditor_id, on=on)
        elif contract.agency_id != agency.pk or contract.creditor_id != locked.creditor_id:
            raise InvalidInput(
                _("contract %(reference)s is not between this agency and the case's creditor")
                % {"reference": contract.reference},
                field="contract",
            )
        elif on < contract.valid_from or (contract.valid_to and on > contract.valid_to):
            raise InvalidInput(
                _("contract %(reference)s is not in force on %(on)s")
                % {"reference": contract.reference, "on": on.isoformat()},
                field="contract",
            )
        overdue, outstanding = _amounts(locked)
        try:
            with transaction.atomic():
                placement = Placement.objects.create(
                    case=locked,
                    loan_id=locked.loan_id,
                    agency=agency,
                    contract=contract,
                    placed_on=on,
                    ends_on=on + timedelta(days=contract.placement_days),
                    overdue_at_placement=overdue,
                    outstanding_at_placement=outstanding,
                    bucket=locked.bucket,
                    dpd=locked.current_dpd,
                    placed_by=by,
                    work_item=work_item,
                )
        except IntegrityError:
            raise InvalidInput(
                _("the case is placed with an agency already"), field="case"
            ) from None
        now = timezone.now()
        if locked.assignee_id is not None:
            CaseAssignment.objects.create(
                case=locked,
                team_id=locked.team_id,
                assignee=None,
                previous_assignee_id=locked.assignee_id,
                # The rule says what happened in the reader's language; the reason names
                # the agency (a proper name, not a sentence stored in one language).
                rule=AssignmentRule.AGENCY,
                reason=agency.name,
                by=by,
                on=on,
                at=now,
            )
        CollectionCase.objects.filter(pk=locked.pk).update(
            agency=agency, assignee=None, assigned_on=None, updated_at=now
        )
        WorkItem.objects.filter(
            case_id=locked.pk, type=PLACEMENT_TASK, status=WorkItemStatus.OPEN
        ).update(status=WorkItemStatus.DONE, closed_at=now)
        audit_record(
            actor=by,
            action="agency.place",
            subject_type="cases.CollectionCase",
            subject_id=locked.pk,
            data={
                "placement": placement.pk,
                "agency": agency.code,
                "contract": contract.reference,
                "placed_on": on.isoformat(),
                "ends_on": placement.ends_on.isoformat(),
                "overdue": overdue,
                "outstanding": outstanding,
                "bucket": locked.bucket,
                "work_item": work_item.pk if work_item is not None else None,
            },
        )
    case.refresh_from_db()
    return placement


def placement_recall(
    *,
    placement: Placement,
    on: date,
    reason: str,
    by: User | None,
    note: str = "",
) -> Placement:
    """Take the case back from the agency on ``on`` (payments from that day on are no
    longer the agency's). ``reason`` is a ``RecallReason``; the end of the term and a paid
    case end the placement, a breach or a manual recall recall it. Audited."""
    if reason not in RecallReason.values:
        raise InvalidInput(
            _("unknown recall reason %(reason)s; one of: %(known)s")
            % {"reason": reason, "known": ", ".join(RecallReason.values)},
            field="reason",
        )
    with transaction.atomic():
        locked = Placement.objects.select_for_update().filter(pk=placement.pk).first()
        if locked is None or locked.status != PlacementStatus.ACTIVE:
            raise InvalidInput(_("the placement is no longer active"), field="placement")
        if on < locked.placed_on:
            raise InvalidInput(
                _("a placement cannot be recalled before it was placed (%(on)s)")
                % {"on": locked.placed_on.isoformat()},
                field="on",
            )
        ends = reason in (RecallReason.END_OF_TERM, RecallReason.PAID)
        locked.status = PlacementStatus.ENDED if ends else PlacementStatus.RECALLED
        locked.recalled_on = on
        locked.recall_reason = reason
        locked.recall_note = note[:500]
        locked.recalled_by = by
        locked.save(
            update_fields=[
                "status",
                "recalled_on",
                "recall_reason",
                "recall_note",
                "recalled_by",
                "updated_at",
            ]
        )
        CollectionCase.objects.filter(pk=locked.case_id, agency_id=locked.agency_id).update(
            agency=None, updated_at=timezone.now()
        )
        audit_record(
            actor=by,
            action="agency.recall",
            subject_type="cases.CollectionCase",
            subject_id=locked.case_id,
            data={
                "placement": locked.pk,
                "agency_id": locked.agency_id,
                "on": on.isoformat(),
                "reason": reason,
                "note": note[:500],
            },
        )
    placement.refresh_from_db()
    return placement


def agency_recall_all(
    *, agency: Agency, on: date, reason: str, by: User | None, note: str = ""
) -> list[Placement]:
    """Recall every active placement of ``agency`` (a breach found against the agency, or
    the end of its contract); each recall is audited on its own."""
    active = list(Placement.objects.filter(agency=agency, status=PlacementStatus.ACTIVE))
    with transaction.atomic():
        return [
            placement_recall(placement=placement, on=on, reason=reason, by=by, note=note)
            for placement in active
        ]


def statement_issue(*, agency: Agency, month: str, by: User | None) -> AgencyStatement:
    """Freeze the month's commission statement of ``agency`` (every creditor's contracts):
    its lines and totals as JSON with their SHA-256. Refused when that month is issued
    already. Audited."""
    statement = agency_statement(agency=agency, month=month)
    content = statement.as_dict()
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    with transaction.atomic():
        if AgencyStatement.objects.filter(agency=agency, month=statement.month).exists():
            raise InvalidInput(
                _("the statement of %(agency)s for %(month)s is issued already")
                % {"agency": agency.name, "month": statement.month},
                field="month",
            )
        issued = AgencyStatement.objects.create(
            agency=agency,
            month=statement.month,
            recovered=statement.recovered,
            commission=statement.commission,
            content=content,
            sha256=digest,
            issued_by=by,
        )
        audit_record(
            actor=by,
            action="agency.statement_issue",
            subject_type="agencies.AgencyStatement",
            subject_id=issued.pk,
            data={
                "agency": agency.code,
                "month": statement.month,
                "recovered": statement.recovered,
                "commission": statement.commission,
                "sha256": digest,
            },
        )
    return issued


def placement_recall_for_breach(
    *, case_id: int, agency_id: int, on: date, by: User | None, note: str
) -> Placement | None:
    """A compliance breach recorded against ``agency_id`` on ``case_id`` (a quality review
    failing an agency collector's call, a complaint upheld): recall the case's active
    placement with that agency, reason ``breach``. ``None`` when the case is not placed with
    that agency (recalled already, or the breach is older than the placement's end)."""
    active = Placement.objects.filter(
        case_id=case_id, agency_id=agency_id, status=PlacementStatus.ACTIVE
    ).first()
    if active is None:
        return None
    return placement_recall(
        placement=active, on=max(on, active.placed_on), reason=RecallReason.BREACH, by=by, note=note
    )
