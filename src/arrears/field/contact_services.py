"""Skip tracing (查找) writes: a newly found phone, address or email for a party, a new
employer, a new contact person; verifying or invalidating a contact point. Each step is
kept in the point's (or the employer's) history and on the audit chain, and the case's
unreachable flag follows (``reachability``).

Values are read the way the ledger stores them (phones in E.164 through ``core.phones``,
emails lower-cased, addresses as written) and encrypted by the model; the audit row names
the point, never its value.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.cases.models import CollectionCase
from arrears.core import phones
from arrears.core.audit import audit_record
from arrears.core.crypto import blind_index
from arrears.core.errors import InvalidInput
from arrears.field.choices import ContactEventKind, ContactSource
from arrears.field.models import ContactPointEvent, EmployerChange
from arrears.field.reachability import unreachable_refresh_for_party
from arrears.portfolio.choices import ContactKind, ContactStatus, PartyKind, PartyRole
from arrears.portfolio.models import ContactPoint, LoanParty, Party
from arrears.portfolio.services.creditors import creditor_phone_region

REASON_MAX = 400
ADDRESS_MIN = 5


def _party_of_case(case: CollectionCase, party_id: int) -> Party:
    party = Party.objects.filter(pk=party_id, loan_roles__loan_id=case.loan_id).first()
    if party is None:
        raise InvalidInput(_("choose a party of this case"), field="party")
    return party


def _source_check(source: str) -> str:
    if source not in ContactSource.values:
        raise InvalidInput(_("say where it was found"), field="source")
    return source


def contact_value_read(*, kind: str, raw: str, region: str = phones.DEFAULT_REGION) -> str:
    """``raw`` as stored for a point of ``kind``; ``InvalidInput`` naming "value" if it is
    not one."""
    text = (raw or "").strip()
    if kind == ContactKind.PHONE:
        try:
            return phones.parse_phone(text, region)
        except phones.PhoneProblem:
            raise InvalidInput(
                _("this is not a phone number (e.g. 138 0013 8000 or 010-12345678)"),
                field="value",
            ) from None
    if kind == ContactKind.EMAIL:
        try:
            validate_email(text)
        except ValidationError:
            raise InvalidInput(_("this is not an email address"), field="value") from None
        return text.lower()
    if kind == ContactKind.ADDRESS:
        if len(text) < ADDRESS_MIN or len(text) > 300:
            raise InvalidInput(_("write the whole address (5 to 300 characters)"), field="value")
        return text
    raise InvalidInput(_("choose phone, email or address"), field="kind")


def contact_event_add(
    *,
    point: ContactPoint,
    kind: str,
    from_status: str,
    by: User | None,
    case: CollectionCase | None,
    reason: str = "",
    source: str = "",
) -> ContactPointEvent:
    """Append one step to ``point``'s history (its status now is the step's end)."""
    return ContactPointEvent.objects.create(
        contact_point_id=point.pk,
        party_id=point.party_id,
        case_id=case.pk if case is not None else None,
        kind=kind,
        from_status=from_status,
        to_status=point.status,
        reason=reason,
        source=source,
        by=by,
    )


def existing_point(*, party: Party, kind: str, value: str) -> ContactPoint | None:
    """The party's point of ``kind`` with this (stored-form) value, if on file already."""
    return ContactPoint.objects.filter(
        party=party, kind=kind, value_index=blind_index(value, scheme=kind)
    ).first()


@transaction.atomic
def contact_point_add(
    *,
    case: CollectionCase,
    party_id: int,
    kind: str,
    value: str,
    source: str,
    by: User,
    on: date,
    note: str = "",
) -> ContactPoint:
    """Add a newly found phone, email or address for a party of ``case`` (unverified, with
    its source); refused when the party has it already. A new phone or address makes the
    case reachable again."""
    party = _party_of_case(case, party_id)
    source = _source_check(source)
    if kind not in ContactKind.values:
        raise InvalidInput(_("choose phone, email or address"), field="kind")
    stored = contact_value_read(
        kind=kind, raw=value, region=creditor_phone_region(case.loan.creditor)
    )
    if existing_point(party=party, kind=kind, value=stored) is not None:
        raise InvalidInput(_("this party has it on file already"), field="value")
    try:
        with transaction.atomic():
            point = ContactPoint.objects.create(party=party, kind=kind, value=stored, source=source)
    except IntegrityError:
        raise InvalidInput(_("this party has it on file already"), field="value") from None
    contact_event_add(
        point=point,
        kind=ContactEventKind.ADDED,
        from_status="",
        by=by,
        case=case,
        reason=note.strip()[:REASON_MAX],
        source=source,
    )
    audit_record(
        actor=by,
        action="field.contact_point_add",
        subject_type="contact_point",
        subject_id=point.pk,
        data={"case": case.pk, "party": party.pk, "kind": kind, "source": source},
    )
    unreachable_refresh_for_party(party_id=party.pk, on=on)
    return point


@transaction.atomic
def contact_point_judge(
    *,
    case: CollectionCase,
    point_id: int,
    valid: bool,
    reason: str,
    by: User,
    on: date,
) -> ContactPoint:
    """Mark a contact point of a party of ``case`` valid (verified) or invalid, with the
    reason. An invalid point is never dialled, texted, mailed or visited again (the outbox
    and the contact form skip it); when it was the borrower's last phone or address the case
    becomes unreachable."""
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(_("say why"), field="reason")
    if len(text) > REASON_MAX:
        raise InvalidInput(_("keep the reason under 400 characters"), field="reason")
    point = (
        ContactPoint.objects.select_for_update()
        .filter(pk=point_id, party__loan_roles__loan_id=case.loan_id)
        .first()
    )
    if point is None:
        raise InvalidInput(_("choose a contact point of this case"), field="contact_point")
    before = point.status
    point.status = ContactStatus.VALID if valid else ContactStatus.INVALID
    point.save(update_fields=["status", "updated_at"])
    contact_event_add(
        point=point,
        kind=ContactEventKind.VERIFIED if valid else ContactEventKind.INVALIDATED,
        from_status=before,
        by=by,
        case=case,
        reason=text,
    )
    audit_record(
        actor=by,
        action="field.contact_point_verify" if valid else "field.contact_point_invalidate",
        subject_type="contact_point",
        subject_id=point.pk,
        data={"case": case.pk, "from": before, "to": point.status, "reason": text},
    )
    unreachable_refresh_for_party(party_id=point.party_id, on=on)
    return point


@transaction.atomic
def employer_record(
    *, case: CollectionCase, party_id: int, employer: str, source: str, by: User
) -> EmployerChange:
    """Record a party's newly found employer: ``Party.employer`` takes it and the change
    (with the one it replaces) is kept."""
    party = _party_of_case(case, party_id)
    source = _source_check(source)
    name = (employer or "").strip()
    if not name:
        raise InvalidInput(_("name the employer"), field="employer")
    if len(name) > 200:
        raise InvalidInput(_("keep the employer under 200 characters"), field="employer")
    if name == party.employer:
        raise InvalidInput(_("this is the employer on file already"), field="employer")
    change = EmployerChange.objects.create(
        party=party, case=case, previous=party.employer, employer=name, source=source, by=by
    )
    party.employer = name
    party.save(update_fields=["employer", "updated_at"])
    audit_record(
        actor=by,
        action="field.employer_record",
        subject_type="party",
        subject_id=party.pk,
        data={"case": case.pk, "source": source},
    )
    return change


@transaction.atomic
def contact_person_add(
    *,
    case: CollectionCase,
    name: str,
    phone: str,
    source: str,
    by: User,
) -> Party:
    """Add a newly found contact person (紧急联系人) to the case's loan: a new party in the
    role contact_person with their phone (unverified, with its source)."""
    source = _source_check(source)
    text = (name or "").strip()
    if not text:
        raise InvalidInput(_("name the contact person"), field="name")
    if len(text) > 200:
        raise InvalidInput(_("keep the name under 200 characters"), field="name")
    loan = case.loan
    stored = contact_value_read(
        kind=ContactKind.PHONE, raw=phone, region=creditor_phone_region(loan.creditor)
    )
    party = Party.objects.create(creditor_id=loan.creditor_id, kind=PartyKind.PERSON, name=text)
    LoanParty.objects.create(loan=loan, party=party, role=PartyRole.CONTACT_PERSON)
    point = ContactPoint.objects.create(
        party=party,
        kind=ContactKind.PHONE,
        value=stored,
        is_primary=True,
        source=source,
    )
    contact_event_add(
        point=point, kind=ContactEventKind.ADDED, from_status="", by=by, case=case, source=source
    )
    audit_record(
        actor=by,
        action="field.contact_person_add",
        subject_type="party",
        subject_id=party.pk,
        data={"case": case.pk, "loan": loan.pk, "source": source},
    )
    return party
