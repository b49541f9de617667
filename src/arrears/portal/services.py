"""Signing in to the borrower portal: a one-time link, the last four characters of the ID
number, then a six-digit code sent by SMS. Each step is one transaction with its audit row.

- ``link_open``: a link this site signed, not expired, to a liable party of the loan;
  its nonce is kept (``PortalLink``) so it signs in once.
- ``id_check``: the ID number's last four characters, compared in constant time.
- ``code_issue``: a code by SMS (through the outbox, on commit), valid ``CODE_SECONDS``; a
  new one at most every ``RESEND_SECONDS`` and ``CODES_PER_LINK`` in all.
- ``code_check``: the code, compared (as its keyed hash) in constant time.

``TRIES`` wrong ID endings, or ``TRIES`` wrong codes, lock the link for good (audited as
``portal.link_locked``). An address with ``ADDRESS_FAILURES`` failed steps in the last
``ADDRESS_WINDOW`` is refused further steps on any link until they age out. No audit row or
log line carries the ID number, the code or the client's address.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from arrears.cases.choices import CaseStatus
from arrears.cases.models import CollectionCase
from arrears.compliance.rules import LIABLE_ROLES
from arrears.core.audit import audit_record
from arrears.outreach.self_service import link_read
from arrears.outreach.verification import verification_sms_send
from arrears.portal.choices import Step
from arrears.portal.models import PortalLink, SignInAttempt, VerificationCode
from arrears.portfolio.models import Creditor, Loan, LoanParty, Party

TRIES = 5
CODE_SECONDS = 5 * 60
RESEND_SECONDS = 60
CODES_PER_LINK = 5
ADDRESS_FAILURES = 20
ADDRESS_WINDOW = timedelta(minutes=15)
CODE_MASK = "******"


@dataclass(frozen=True)
class StepResult:
    """The answer to a sign-in step: passed, or why not — ``invalid``, ``expired``,
    ``used``, ``locked``, ``not_available`` (no ID number or no case to sign in to),
    ``wrong`` (with ``tries_left``), ``throttled``, ``no_code``, ``code_expired``, ``wait``
    (a new code too soon), ``too_many`` (codes), ``no_phone``, ``not_sent``."""

    ok: bool
    reason: str = ""
    link: PortalLink | None = None
    tries_left: int = 0
    to_masked: str = ""


def address_key(address: str) -> str:
    """The keyed hash under which a client's address is counted (never stored in clear)."""
    return salted_hmac("arrears.portal.address", address, algorithm="sha256").hexdigest()


def _code_hash(link: PortalLink, code: str) -> str:
    return salted_hmac(f"arrears.portal.code.{link.pk}", code, algorithm="sha256").hexdigest()


def _audit(action: str, link: PortalLink, **data: object) -> None:
    audit_record(
        actor=None,
        action=action,
        subject_type="portal_link",
        subject_id=link.pk,
        data={"loan": link.loan_id, "party": link.party_id, **data},
    )


def _throttled(address: str, now: datetime) -> bool:
    return (
        SignInAttempt.objects.filter(
            address=address, ok=False, at__gte=now - ADDRESS_WINDOW
        ).count()
        >= ADDRESS_FAILURES
    )


def _locked_link(link_id: int) -> PortalLink:
    return PortalLink.objects.select_for_update().select_related("loan", "party").get(pk=link_id)


def _closed(link: PortalLink, now: datetime) -> str:
    if link.locked_at is not None:
        return "locked"
    if link.used_at is not None:
        return "used"
    if link.expires_at <= now:
        return "expired"
    return ""


def case_of(loan_id: int) -> CollectionCase | None:
    """The loan's open case, else its latest one (a cured loan's); None when it never had one."""
    cases = CollectionCase.objects.filter(loan_id=loan_id).select_related("loan", "loan__creditor")
    return (
        cases.filter(status=CaseStatus.OPEN).first() or cases.order_by("-opened_on", "-id").first()
    )


@transaction.atomic
def link_open(*, token: str) -> StepResult:
    """The link ``token`` names, kept from its first opening on; or why it cannot be used."""
    claims = link_read(token)
    if claims is None:
        return StepResult(False, "invalid")
    now = timezone.now()
    if claims.expires_at <= now:
        return StepResult(False, "expired")
    liable = LoanParty.objects.filter(
        loan_id=claims.loan_id, party_id=claims.party_id, role__in=LIABLE_ROLES
    ).exists()
    if not liable:
        return StepResult(False, "invalid")
    link = PortalLink.objects.filter(nonce=claims.nonce).first()
    if link is None:
        try:
            with transaction.atomic():
                link = PortalLink.objects.create(
                    nonce=claims.nonce,
                    loan_id=claims.loan_id,
                    party_id=claims.party_id,
                    expires_at=claims.expires_at,
                )
        except IntegrityError:  # opened twice at the same moment
            link = PortalLink.objects.get(nonce=claims.nonce)
        else:
            _audit("portal.link_open", link, expires_at=claims.expires_at.isoformat())
    closed = _closed(link, now)
    if closed:
        return StepResult(False, closed, link)
    return StepResult(True, link=link)


def _fail(link: PortalLink, step: str, counter: str, now: datetime) -> StepResult:
    failures = getattr(link, counter) + 1
    setattr(link, counter, failures)
    fields = [counter, "updated_at"]
    _audit(f"portal.{step}_failed", link, failures=failures)
    if failures >= TRIES:
        link.locked_at = now
        fields.append("locked_at")
        _audit("portal.link_locked", link, step=step, failures=failures)
    link.save(update_fields=fields)
    if link.locked_at is not None:
        return StepResult(False, "locked", link)
    return StepResult(False, "wrong", link, tries_left=TRIES - failures)


@transaction.atomic
def id_check(*, link_id: int, last4: str, address: str) -> StepResult:
    """Does ``last4`` end the party's ID number? Wrong answers count towards the lock."""
    now = timezone.now()
    if _throttled(address, now):
        return StepResult(False, "throttled")
    link = _locked_link(link_id)
    closed = _closed(link, now)
    if closed:
        return StepResult(False, closed, link)
    actual = (link.party.id_number or "").strip().upper()
    if len(actual) < 4:
        return StepResult(False, "not_available", link)
    ok = constant_time_compare(last4.strip().upper(), actual[-4:])
    SignInAttempt.objects.create(link=link, step=Step.ID, ok=ok, address=address, at=now)
    if not ok:
        return _fail(link, "id", "id_failures", now)
    link.id_passed_at = now
    link.save(update_fields=["id_passed_at", "updated_at"])
    _audit("portal.id_passed", link)
    return StepResult(True, link=link)


def _code_text(creditor: Creditor, code: str) -> str:
    return _(
        "[%(creditor)s] Your sign-in code is %(code)s, valid for 5 minutes. Do not tell"
        " anyone: our staff will never ask for it."
    ) % {"creditor": creditor.name, "code": code}


def code_issue(*, link_id: int, address: str) -> StepResult:
    """Make a new code and send it by SMS to the party's phone on file (the SMS goes once
    this transaction commits: ``outreach.verification``). ``to_masked`` says where, when
    the caller's transaction has already committed."""
    sent: dict[str, object] = {}
    with transaction.atomic():
        now = timezone.now()
        if _throttled(address, now):
            return StepResult(False, "throttled")
        link = _locked_link(link_id)
        closed = _closed(link, now)
        if closed:
            return StepResult(False, closed, link)
        case = case_of(link.loan_id)
        if case is None:
            return StepResult(False, "not_available", link)
        last = link.codes.order_by("-created_at", "-id").first()
        if last is not None and (now - last.created_at).total_seconds() < RESEND_SECONDS:
            return StepResult(False, "wait", link)
        if link.codes_sent >= CODES_PER_LINK:
            return StepResult(False, "too_many", link)
        code = f"{secrets.randbelow(10**6):06d}"
        row = VerificationCode.objects.create(
            link=link,
            code_hash=_code_hash(link, code),
            expires_at=now + timedelta(seconds=CODE_SECONDS),
        )
        link.codes_sent += 1
        link.save(update_fields=["codes_sent", "updated_at"])
        _audit("portal.code_issue", link, code=row.pk)
        loan: Loan = link.loan
        party: Party = link.party
        creditor = loan.creditor
        text, evidence = _code_text(creditor, code), _code_text(creditor, CODE_MASK)

        def send() -> None:
            result = verification_sms_send(
                case_id=case.pk,
                loan=loan,
                party=party,
                text=text,
                evidence=evidence,
                template_params={"code": code},
            )
            VerificationCode.objects.filter(pk=row.pk).update(
                outbox_message_id=result.message_id, send_status=result.status
            )
            sent["result"] = result

        transaction.on_commit(send)
    result = sent.get("result")
    if result is None:  # the caller's transaction sends it later
        return StepResult(True, link=link)
    status, masked = getattr(result, "status", ""), getattr(result, "to_masked", "")
    if status == "no_phone":
        return StepResult(False, "no_phone", link)
    if status not in ("sent", "unknown"):
        return StepResult(False, "not_sent", link, to_masked=masked)
    return StepResult(True, link=link, to_masked=masked)


@transaction.atomic
def code_check(*, link_id: int, code: str, address: str) -> StepResult:
    """Is ``code`` the latest code sent for the link, within its five minutes? Passing it
    signs in and uses the link up; wrong codes count towards the lock."""
    now = timezone.now()
    if _throttled(address, now):
        return StepResult(False, "throttled")
    link = _locked_link(link_id)
    closed = _closed(link, now)
    if closed:
        return StepResult(False, closed, link)
    latest = link.codes.filter(used_at__isnull=True).order_by("-created_at", "-id").first()
    if latest is None:
        return StepResult(False, "no_code", link)
    if latest.expires_at <= now:
        return StepResult(False, "code_expired", link)
    ok = constant_time_compare(_code_hash(link, code.strip()), latest.code_hash)
    SignInAttempt.objects.create(link=link, step=Step.CODE, ok=ok, address=address, at=now)
    if not ok:
        return _fail(link, "code", "code_failures", now)
    latest.used_at = now
    latest.save(update_fields=["used_at"])
    link.used_at = now
    link.save(update_fields=["used_at", "updated_at"])
    _audit("portal.sign_in", link)
    return StepResult(True, link=link)


@transaction.atomic
def sign_out(*, link_id: int) -> None:
    """Record that the borrower signed out (the session itself is the caller's)."""
    link = PortalLink.objects.filter(pk=link_id).first()
    if link is not None:
        _audit("portal.sign_out", link)
