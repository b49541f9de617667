"""Recording a field visit (外访): two or more staff at one of the debtor's addresses, with
times in and out, what they found, notes, an optional location and photos or PDFs.

The visit is a contact like any other: the compliance gate judges it first (with the number
of staff: it refuses a visit by one), and an allowed visit is the sealed ``Activity`` on the
case timeline, its notes naming the staff and the SHA-256 of each evidence file. The files
are checked by their bytes (``evidence_files``), kept beside the database under names never
used before (``core.files.write_once``), and never overwritten; a failure after writing
removes what this call wrote, so no file is left without its row.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.cases.choices import ContactOutcome, PartyReached
from arrears.cases.contact_time import CLOCK_SKEW, contact_time_check
from arrears.cases.models import CollectionCase
from arrears.cases.parties import case_party_role
from arrears.cases.services import activity_record
from arrears.compliance.choices import Channel
from arrears.compliance.rules import Reason
from arrears.core.audit import audit_record
from arrears.core.errors import ArrearsError, InvalidInput
from arrears.core.files import write_once
from arrears.field.choices import ContactEventKind, ContactSource, VisitOutcome
from arrears.field.contact_services import contact_event_add, contact_value_read, existing_point
from arrears.field.evidence_files import (
    EMPTY,
    HOSTILE,
    MAX_FILES,
    NAME_MISMATCH,
    TOO_LARGE,
    CheckedFile,
    EvidenceProblem,
    evidence_check,
)
from arrears.field.models import Visit, VisitEvidence
from arrears.field.reachability import unreachable_refresh_for_party
from arrears.portfolio.choices import ContactKind, ContactStatus, PartyRole
from arrears.portfolio.models import ContactPoint, Party

EVIDENCE_FOLDER = Path("field") / "visits"
# A visit longer than this is a typing mistake (a day's date for the time out), not a visit.
LONGEST_VISIT = timedelta(hours=12)
# Outcomes that show the address does not reach the debtor: it is marked invalid.
ADDRESS_GONE = frozenset({VisitOutcome.MOVED_AWAY, VisitOutcome.ADDRESS_WRONG})


@dataclass(frozen=True)
class UploadedFile:
    """A file as uploaded: the name the browser gave and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class VisitResult:
    """What came of recording a visit: the visit (None when the gate refused it) and the
    gate's reasons (codes and parameters: ``compliance.reasons`` words them)."""

    visit: Visit | None
    allowed: bool
    refusals: list[Reason] = field(default_factory=list)
    next_allowed_at: datetime | None = None


def _file_problem(problem: EvidenceProblem) -> str:
    words = {
        EMPTY: _("%(name)s is empty"),
        TOO_LARGE: _("%(name)s is larger than 10 MB"),
        NAME_MISMATCH: _("%(name)s is not the type its name says"),
        HOSTILE: _("%(name)s contains active content (scripts or markup) and is refused"),
    }
    text = words.get(problem.code, _("%(name)s is not a photo (JPEG, PNG, WebP) or a PDF"))
    return text % {"name": problem.name}


def evidence_files_check(files: Sequence[UploadedFile]) -> list[CheckedFile]:
    """Every uploaded file checked (``InvalidInput`` naming "files" for the first refused)."""
    if len(files) > MAX_FILES:
        raise InvalidInput(
            _("attach at most %(count)s files") % {"count": MAX_FILES}, field="evidence"
        )
    checked = []
    for upload in files:
        try:
            checked.append(evidence_check(upload.name, upload.data))
        except EvidenceProblem as problem:
            raise InvalidInput(_file_problem(problem), field="evidence") from None
    return checked


def _times_check(*, arrived_at: datetime, left_at: datetime, on: date, role: str) -> None:
    for moment, name in ((arrived_at, "arrived_at"), (left_at, "left_at")):
        if timezone.is_naive(moment):
            raise InvalidInput(_("the time must carry its zone"), field=name)
    try:
        contact_time_check(at=arrived_at, on=on, role=role)
    except InvalidInput as exc:
        raise InvalidInput(str(exc), field="arrived_at") from None
    if left_at <= arrived_at:
        raise InvalidInput(_("the time out must be after the time in"), field="left_at")
    if left_at > timezone.now() + CLOCK_SKEW:
        raise InvalidInput(_("the time out is in the future"), field="left_at")
    if left_at - arrived_at > LONGEST_VISIT:
        raise InvalidInput(_("a visit lasts at most 12 hours"), field="left_at")


def _location_check(latitude: Decimal | None, longitude: Decimal | None) -> None:
    if (latitude is None) != (longitude is None):
        raise InvalidInput(_("give both latitude and longitude, or neither"), field="latitude")
    if latitude is not None and not Decimal(-90) <= latitude <= Decimal(90):
        raise InvalidInput(_("latitude is between -90 and 90"), field="latitude")
    if longitude is not None and not Decimal(-180) <= longitude <= Decimal(180):
        raise InvalidInput(_("longitude is between -180 and 180"), field="longitude")


def same_organisation(user: User) -> Q:
    """People who may go on a visit with ``user``: of the same agency, or in-house."""
    if user.agency_id is None:
        return Q(agency__isnull=True)
    return Q(agency_id=user.agency_id)


def colleagues_of(user: User, ids: Sequence[int]) -> list[User]:
    """The colleagues named by ``ids``: active people other than ``user``, of the same
    agency (or, for in-house staff, in-house); ``InvalidInput`` naming "colleagues"."""
    wanted = set(ids)
    if user.pk in wanted:
        raise InvalidInput(_("you are counted already: choose your colleagues"), field="colleagues")
    found = list(
        User.objects.filter(pk__in=wanted, is_active=True)
        .filter(same_organisation(user))
        .order_by("username")
    )
    if len(found) != len(wanted):
        raise InvalidInput(_("choose colleagues from the list"), field="colleagues")
    return found


def _address(
    *, party: Party, case: CollectionCase, address_id: int | None, new_address: str, by: User
) -> ContactPoint:
    """The address visited: one of the party's (never one found invalid), or a new one
    typed in, added to the party's points with its source and history."""
    if address_id is not None:
        point = ContactPoint.objects.filter(
            pk=address_id, party=party, kind=ContactKind.ADDRESS
        ).first()
        if point is None:
            raise InvalidInput(_("choose an address of this party"), field="address")
        if point.status == ContactStatus.INVALID:
            raise InvalidInput(_("this address was found invalid"), field="address")
        return point
    if not new_address.strip():
        raise InvalidInput(_("choose the address visited or type a new one"), field="address")
    value = contact_value_read(kind=ContactKind.ADDRESS, raw=new_address)
    point = existing_point(party=party, kind=ContactKind.ADDRESS, value=value)
    if point is not None:
        if point.status == ContactStatus.INVALID:
            raise InvalidInput(_("this address was found invalid"), field="address")
        return point
    point = ContactPoint.objects.create(
        party=party, kind=ContactKind.ADDRESS, value=value, source=ContactSource.VISIT
    )
    contact_event_add(
        point=point,
        kind=ContactEventKind.ADDED,
        from_status="",
        by=by,
        case=case,
        source=ContactSource.VISIT,
    )
    return point


def _contact_words(outcome: str, role: str) -> tuple[str, str]:
    """The visit's outcome as the contact record's (party reached, outcome)."""
    met = PartyReached.BORROWER if role == PartyRole.BORROWER else PartyReached.CO_PARTY
    if role == PartyRole.CONTACT_PERSON:
        met = PartyReached.THIRD_PARTY
    return {
        VisitOutcome.MET_DEBTOR: (met, ContactOutcome.RIGHT_PARTY),
        VisitOutcome.REFUSED: (met, ContactOutcome.REFUSED),
        VisitOutcome.MET_RELATIVE: (PartyReached.THIRD_PARTY, ContactOutcome.THIRD_PARTY),
    }.get(VisitOutcome(outcome), (PartyReached.NOBODY, ContactOutcome.NO_ANSWER))


def _activity_notes(notes: str, staff: Sequence[User], files: Sequence[CheckedFile]) -> str:
    """The contact record's notes: the staff and the evidence hashes first (the timeline
    shows the start of long notes), then what the staff wrote."""
    parts = [_("Visit staff: %(names)s") % {"names": ", ".join(u.get_username() for u in staff)}]
    for checked in files:
        parts.append(
            _("Evidence %(name)s SHA-256 %(hash)s") % {"name": checked.name, "hash": checked.sha256}
        )
    if notes.strip():
        parts.append(notes.strip())
    return " · ".join(parts)


def _keep(case: CollectionCase, visit: Visit, checked: CheckedFile, written: list[Path]) -> None:
    safe_loan = re.sub(r"[^\w.-]", "_", case.loan.loan_id)[:80]
    relative = (
        EVIDENCE_FOLDER
        / str(case.loan.creditor_id)
        / safe_loan
        / f"visit{visit.pk}_{uuid.uuid4().hex[:12]}{checked.extension}"
    )
    target = Path(settings.DATA_DIR) / relative
    # A new name every time: evidence is never written over.
    if not write_once(target, checked.data):
        raise ArrearsError(f"{relative} exists already; record the visit again")
    written.append(target)
    VisitEvidence.objects.create(
        visit=visit,
        name=checked.name,
        path=relative.as_posix(),
        content_type=checked.content_type,
        size=len(checked.data),
        sha256=checked.sha256,
    )


def visit_record(
    *,
    case: CollectionCase,
    party_id: int,
    by: User,
    colleague_ids: Sequence[int],
    arrived_at: datetime,
    left_at: datetime,
    outcome: str,
    on: date,
    address_id: int | None = None,
    new_address: str = "",
    notes: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    files: Sequence[UploadedFile] = (),
) -> VisitResult:
    """Record a visit to a party of ``case`` by ``by`` and the colleagues ``colleague_ids``
    (business date ``on``). Bad input raises ``InvalidInput`` naming the field; a visit the
    compliance gate refuses (one person alone, outside the hours, on hold …) returns its
    reasons with no visit recorded (the refusal itself is stored by the gate)."""
    if outcome not in VisitOutcome.values:
        raise InvalidInput(_("choose what the visit found"), field="outcome")
    party = Party.objects.filter(pk=party_id, loan_roles__loan_id=case.loan_id).first()
    if party is None:
        raise InvalidInput(_("choose a party of this case"), field="party")
    colleagues = colleagues_of(by, colleague_ids)
    _times_check(arrived_at=arrived_at, left_at=left_at, on=on, role=by.role)
    _location_check(latitude, longitude)
    if len(notes) > 4000:
        raise InvalidInput(_("keep the notes under 4,000 characters"), field="notes")
    checked = evidence_files_check(files)
    written: list[Path] = []
    try:
        with transaction.atomic():
            return _record(
                case=case,
                party=party,
                by=by,
                colleagues=colleagues,
                arrived_at=arrived_at,
                left_at=left_at,
                outcome=outcome,
                on=on,
                address=(address_id, new_address),
                notes=notes,
                location=(latitude, longitude),
                checked=checked,
                written=written,
            )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def _record(
    *,
    case: CollectionCase,
    party: Party,
    by: User,
    colleagues: list[User],
    arrived_at: datetime,
    left_at: datetime,
    outcome: str,
    on: date,
    address: tuple[int | None, str],
    notes: str,
    location: tuple[Decimal | None, Decimal | None],
    checked: list[CheckedFile],
    written: list[Path],
) -> VisitResult:
    point = _address(party=party, case=case, address_id=address[0], new_address=address[1], by=by)
    reached, contact_outcome = _contact_words(outcome, case_party_role(case, party))
    staff = [by, *colleagues]
    result = activity_record(
        case=case,
        party=party,
        channel=Channel.VISIT,
        party_reached=reached,
        outcome=contact_outcome,
        by=by,
        at=arrived_at,
        on=on,
        contact_point=point,
        notes=_activity_notes(notes, staff, checked),
        staff=len(staff),
    )
    if not result.allowed or result.activity is None:
        return VisitResult(
            visit=None,
            allowed=False,
            refusals=list(result.refusals),
            next_allowed_at=result.next_allowed_at,
        )
    visit = Visit.objects.create(
        case=case,
        party=party,
        address=point,
        activity=result.activity,
        by=by,
        arrived_at=arrived_at,
        left_at=left_at,
        outcome=outcome,
        notes=notes.strip(),
        latitude=location[0],
        longitude=location[1],
    )
    visit.colleagues.set(colleagues)
    for item in checked:
        _keep(case, visit, item, written)
    if outcome in ADDRESS_GONE and point.status != ContactStatus.INVALID:
        before = point.status
        point.status = ContactStatus.INVALID
        point.save(update_fields=["status", "updated_at"])
        contact_event_add(
            point=point,
            kind=ContactEventKind.INVALIDATED,
            from_status=before,
            by=by,
            case=case,
            reason=str(VisitOutcome(outcome).label),
            source=ContactSource.VISIT,
        )
        unreachable_refresh_for_party(party_id=party.pk, on=on)
    audit_record(
        actor=by,
        action="field.visit_record",
        subject_type="case",
        subject_id=case.pk,
        data={
            "visit": visit.pk,
            "activity": result.activity.pk,
            "staff": [u.get_username() for u in staff],
            "outcome": outcome,
            "evidence_sha256": [item.sha256 for item in checked],
        },
    )
    return VisitResult(visit=visit, allowed=True)
