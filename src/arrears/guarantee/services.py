"""Writes of the guarantee app: a pay-out (代偿) with its recourse claim, and a recovery on a
claim with its payer.

``payout_record`` composes the ledger's pieces (``portfolio.services.claims``) with this
app's ``Payout`` row and the audit entry, in one transaction: either the lender's loan is
settled and compensated, the claim exists and both are linked, or nothing changed.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.cases.batch import cases_maintain
from arrears.cases.choices import CaseStatus
from arrears.cases.models import CollectionCase
from arrears.core.audit import audit_record
from arrears.core.errors import ArrearsError, InvalidInput
from arrears.core.files import write_once
from arrears.guarantee.models import Payout, RecoveryPayer
from arrears.portfolio.choices import PartyKind, PartyRole
from arrears.portfolio.models import Creditor, Loan, LoanParty
from arrears.portfolio.services import payment_post
from arrears.portfolio.services.claims import (
    claim_loan_create,
    guarantee_company_get_or_create,
    loan_compensate,
)
from arrears.strategy.models import Playbook
from arrears.strategy.services import playbook_import

EVIDENCE_FOLDER = Path("guarantee")
EVIDENCE_LIMIT = 20 * 1024 * 1024  # a scanned receipt or voucher, not an archive
RECOURSE_PLAYBOOK = (
    Path(__file__).resolve().parent.parent / "strategy" / "data" / "playbooks" / "recourse.yaml"
)
PAYER_ROLES = (PartyRole.BORROWER, PartyRole.CO_BORROWER, PartyRole.COUNTER_GUARANTOR)


@dataclass(frozen=True)
class EvidenceFile:
    """An uploaded evidence file: its name as given and its bytes."""

    name: str
    data: bytes


def guarantor_of(loan: Loan, name: str | None) -> Creditor:
    """The guarantee company that paid: the creditor ``name`` (created on first use), else
    the loan's one guarantor party of kind company. Refused when the loan has none or
    several such parties and no name was given, or when it is the loan's own lender."""
    if not name:
        names = sorted(
            LoanParty.objects.filter(
                loan=loan, role=PartyRole.GUARANTOR, party__kind=PartyKind.COMPANY
            ).values_list("party__name", flat=True)
        )
        if not names:
            raise InvalidInput(
                _("loan %(loan)s has no guarantee company among its parties: name it with --by")
                % {"loan": loan.loan_id},
                field="by",
            )
        if len(names) > 1:
            raise InvalidInput(
                _("loan %(loan)s has several guarantee companies (%(names)s): name one with --by")
                % {"loan": loan.loan_id, "names": ", ".join(names)},
                field="by",
            )
        name = names[0]
    creditor = guarantee_company_get_or_create(name=name)
    if creditor.pk == loan.creditor_id:
        raise InvalidInput(
            _("%(name)s is the loan's own lender, not its guarantor") % {"name": creditor.name},
            field="by",
        )
    return creditor


def _keep_evidence(loan: Loan, evidence: EvidenceFile) -> tuple[str, str]:
    """Store ``evidence`` beside the database under a new name; (relative path, SHA-256)."""
    if not evidence.data:
        raise InvalidInput(_("the evidence file is empty"), field="file")
    if len(evidence.data) > EVIDENCE_LIMIT:
        raise InvalidInput(_("the evidence file is larger than 20 MB"), field="file")
    digest = hashlib.sha256(evidence.data).hexdigest()
    suffix = re.sub(r"[^A-Za-z0-9.]", "", Path(evidence.name).suffix)[:10]
    safe_loan = re.sub(r"[^\w.-]", "_", loan.loan_id)[:80]
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    relative = (
        EVIDENCE_FOLDER
        / str(loan.creditor_id)
        / safe_loan
        / f"payout_{stamp}_{uuid.uuid4().hex[:8]}{suffix}"
    )
    # A new name every time: evidence is never written over (core.files.write_once).
    if not write_once(Path(settings.DATA_DIR) / relative, evidence.data):
        raise ArrearsError(f"{relative} exists already; record the pay-out again")
    return relative.as_posix(), digest


def _close_lender_case(loan: Loan, on: date) -> None:
    """Close the lender's open case now that its loan is settled.

    A compensated loan leaves the daily cycle (its partitions span active loans), so the
    cases step would never see its settled position: it is run here for this one loan, on
    the pay-out day (or the day after the case opened, if the pay-out was recorded for an
    earlier day), and closes the case as ``compensated`` (代偿), as the cycle closes the case
    of any compensated loan (``cases.batch.closing``).
    """
    opened = (
        CollectionCase.objects.filter(loan=loan, status=CaseStatus.OPEN)
        .values_list("opened_on", flat=True)
        .first()
    )
    if opened is not None:
        cases_maintain(first=loan.pk, last=loan.pk, on=max(on, opened + timedelta(days=1)))


def recourse_playbook_ensure() -> None:
    """Install the shipped ``recourse`` playbook (strategy/data/playbooks/recourse.yaml)
    unless a playbook of that name exists: the guarantee company's claims follow it (its
    segment is the ``recourse`` product). One edited or deactivated later is left alone."""
    if not Playbook.objects.filter(name="recourse").exists():
        playbook_import(text=RECOURSE_PLAYBOOK.read_text(encoding="utf-8"), note="shipped")


def payout_record(
    *,
    loan: Loan,
    amount: int,
    on: date,
    by_name: str | None = None,
    penalty_rate: Decimal | None = None,
    evidence: str = "",
    evidence_file: EvidenceFile | None = None,
    user: AbstractBaseUser | None = None,
) -> Payout:
    """Record that the guarantor paid ``amount`` fen of ``loan`` to its lender on ``on``.

    In one transaction: the pay-out posted on the lender's loan as a payment and the loan
    ``compensated`` (``loan_compensate``, with its refusals: not active, a day in the
    future or before disbursement, 0 or more than the loan owes on ``on``); the recourse
    claim created for the guarantor (``guarantor_of``) with ``penalty_rate`` or its
    default (``claim_loan_create``); the ``Payout`` row linking both, its evidence (a
    text, and a file kept with its SHA-256); the ``guarantee.payout`` audit entry. A
    second pay-out of the same loan is refused. The evidence file is written first and
    removed if the transaction fails.
    """
    if Payout.objects.filter(loan=loan).exists():
        raise InvalidInput(
            _("loan %(loan)s was paid out already") % {"loan": loan.loan_id}, field="loan"
        )
    guarantor = guarantor_of(loan, by_name)
    path, digest = "", ""
    if evidence_file is not None:
        path, digest = _keep_evidence(loan, evidence_file)
    elif evidence.strip():
        digest = hashlib.sha256(evidence.strip().encode("utf-8")).hexdigest()
    try:
        with transaction.atomic():
            compensation = loan_compensate(
                loan=loan,
                amount=amount,
                on=on,
                payment_id=f"DC-{loan.loan_id}"[:100],
                by=user,
            )
            claim = claim_loan_create(
                original=loan,
                creditor=guarantor,
                amount=amount,
                on=on,
                penalty_rate=penalty_rate,
            )
            payout = Payout.objects.create(
                loan=loan,
                claim=claim,
                guarantor=guarantor,
                payment=compensation.payment,
                amount=amount,
                paid_on=on,
                evidence=evidence.strip(),
                evidence_path=path,
                evidence_sha256=digest,
                by_id=user.pk if user is not None else None,
            )
            _close_lender_case(loan, on)
            recourse_playbook_ensure()
            audit_record(
                actor=user,
                action="guarantee.payout",
                subject_type="loan",
                subject_id=loan.pk,
                data={
                    "loan_id": loan.loan_id,
                    "claim": claim.pk,
                    "claim_id": claim.loan_id,
                    "guarantor": guarantor.name,
                    "amount": amount,
                    "owed": compensation.owed,
                    "on": on.isoformat(),
                    "penalty_rate": str(claim.penalty_rate),
                    "evidence_sha256": digest,
                },
            )
    except BaseException:
        if path:
            (Path(settings.DATA_DIR) / path).unlink(missing_ok=True)
        raise
    return payout


def recovery_record(
    *,
    claim: Loan,
    amount: int,
    on: date,
    payment_id: str,
    payer_id: int | None = None,
    channel: str = "",
    user: AbstractBaseUser | None = None,
) -> RecoveryPayer | None:
    """Record money recovered on a recourse claim, optionally naming who paid.

    The payment is posted on the claim like any other (``payment_post``); with
    ``payer_id`` (a party of the claim: borrower, co-borrower or counter-guarantor) a
    ``RecoveryPayer`` row attributes it, which the report reads as the counter-guarantors'
    contribution. Refused for a loan that is not a claim or a payer not on it.
    """
    payout = Payout.objects.filter(claim=claim).first()
    if payout is None:
        raise InvalidInput(
            _("loan %(loan)s is not a recourse claim") % {"loan": claim.loan_id}, field="claim"
        )
    role = None
    if payer_id is not None:
        role = (
            LoanParty.objects.filter(loan=claim, party_id=payer_id, role__in=PAYER_ROLES)
            .order_by("role")
            .values_list("role", flat=True)
            .first()
        )
        if role is None:
            raise InvalidInput(
                _("party %(party)s is not liable on claim %(loan)s")
                % {"party": payer_id, "loan": claim.loan_id},
                field="payer",
            )
    with transaction.atomic():
        payment, created = payment_post(
            loan=claim,
            payment_id=payment_id,
            amount=amount,
            paid_on=on,
            channel=channel,
            source="guarantee",
            by=user,
        )
        if not created or payer_id is None or role is None:
            return None
        payer = RecoveryPayer.objects.create(
            payment=payment, payout=payout, party_id=payer_id, role=role
        )
        audit_record(
            actor=user,
            action="guarantee.recovery",
            subject_type="loan",
            subject_id=claim.pk,
            data={"payment_id": payment.payment_id, "payer": payer_id, "role": role},
        )
    return payer
