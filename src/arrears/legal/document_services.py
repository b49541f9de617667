"""Drafting a court paper for a loan: check who asks, render, keep the file, record it.

Court papers print names and ID numbers in full, so only a person whose role may both reveal
ID numbers and work the legal desk may draft one (``reveal_id_number`` and ``legal_manage``),
and only for a creditor in their portfolio; ``user=None`` is the server's operator at the
command line. Every paper is evidence: a new file per generation under
``DATA_DIR/legal/documents/<creditor>/<loan>/``, never overwritten, its SHA-256 on the
``LegalDocument`` row and on the audit chain, written in one transaction.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.core.audit import audit_record
from arrears.core.errors import ArrearsError, InvalidInput, NotFound
from arrears.core.files import write_once
from arrears.legal.choices import DocumentFormat, DocumentKind
from arrears.legal.claims import loan_claim
from arrears.legal.documents.context import document_context
from arrears.legal.documents.rendering import render_document
from arrears.legal.models import LegalDocument, Matter, MatterLoan
from arrears.portfolio.models import Loan

DOCUMENTS_FOLDER = Path("legal") / "documents"
# Court papers hold ID numbers: readable by the service's user and group only.
CAPABILITIES = ("reveal_id_number", "legal_manage")
# Roles whose reach is the creditors they are given (``accounts.User.creditors``).
PORTFOLIO_ROLES = (Role.MANAGER, Role.LEGAL_OFFICER, Role.COMPLIANCE_AUDITOR)


def _check_user(user: User | None, loan: Loan) -> None:
    """``PermissionDenied`` unless ``user`` may draft court papers; ``NotFound`` when the
    loan's creditor is outside their portfolio (its existence is not revealed)."""
    if user is None:
        return
    role = user.role
    if not user.is_active:
        raise PermissionDenied(refusal(role, "legal_manage"))
    for capability in CAPABILITIES:
        if not role_can(role, capability):
            raise PermissionDenied(refusal(role, capability))
    if role in PORTFOLIO_ROLES and not user.creditors.filter(pk=loan.creditor_id).exists():
        raise NotFound(f"loan '{loan.loan_id}' not found")


def _check_matter(matter: Matter | None, loan: Loan) -> None:
    if matter is None or matter.loan_id == loan.pk:
        return
    if not MatterLoan.objects.filter(matter=matter, loan=loan).exists():
        raise InvalidInput(
            f"matter {matter.pk} does not cover loan '{loan.loan_id}'", field="matter"
        )


def _safe_name(text: str) -> str:
    """A loan id as one path component: letters, digits (any script), ``.``, ``-``, ``_``."""
    name = re.sub(r"[^\w.-]", "_", text).strip(".") or "_"
    return name[:100]


def legal_document_file(document: LegalDocument) -> Path:
    """Where ``document``'s file is kept."""
    return Path(settings.DATA_DIR) / document.path


def legal_document_generate(
    *,
    loan: Loan,
    kind: str,
    fmt: str,
    as_of: date,
    user: User | None = None,
    matter: Matter | None = None,
    accelerate: bool = False,
) -> LegalDocument:
    """Draft the ``kind`` paper for ``loan`` in ``fmt`` with the claim as of ``as_of``.

    Checks ``user`` first (``PermissionDenied`` before anything is read or written), renders
    outside the transaction (a PDF takes a second or two), then in one transaction records
    the ``LegalDocument`` row and the ``legal.document`` audit entry; a file whose row could
    not be written is removed. ``accelerate`` claims the whole outstanding principal.
    """
    if kind not in DocumentKind.values:
        raise InvalidInput(f"unknown document kind {kind!r}", field="kind")
    if fmt not in DocumentFormat.values:
        raise InvalidInput(f"format must be docx or pdf, not {fmt!r}", field="format")
    _check_user(user, loan)
    _check_matter(matter, loan)
    claim = loan_claim(loan, as_of=as_of, accelerate=accelerate)
    context = document_context(
        loan=loan,
        kind=kind,
        as_of=as_of,
        claim=claim,
        matter=matter,
        today=timezone.localdate(),
    )
    data = render_document(kind, fmt, context)
    digest = hashlib.sha256(data).hexdigest()
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    relative = (
        DOCUMENTS_FOLDER
        / str(loan.creditor_id)
        / _safe_name(loan.loan_id)
        / f"{kind}_{as_of:%Y%m%d}_{stamp}_{uuid.uuid4().hex[:8]}.{fmt}"
    )
    path = Path(settings.DATA_DIR) / relative
    # The name is new (a stamp and a random part): a paper is never written over another.
    if not write_once(path, data):
        raise ArrearsError(f"{relative} exists already; draft the paper again")
    try:
        with transaction.atomic():
            document = LegalDocument.objects.create(
                loan=loan,
                matter=matter,
                kind=kind,
                format=fmt,
                as_of=as_of,
                path=relative.as_posix(),
                size=len(data),
                sha256=digest,
                generated_by=user,
            )
            audit_record(
                actor=user,
                action="legal.document",
                subject_type="loan",
                subject_id=loan.loan_id,
                data={
                    "document": document.pk,
                    "kind": kind,
                    "format": fmt,
                    "as_of": as_of.isoformat(),
                    "matter": matter.pk if matter is not None else None,
                    "claim_total": claim.total,
                    "size": len(data),
                    "sha256": digest,
                },
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return document
