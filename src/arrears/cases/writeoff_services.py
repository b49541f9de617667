"""Writes of write-offs (核销): proposing one with the reason and evidence, deciding one
under the authority matrix.

Whoever has ``writeoff_propose`` proposes; someone else with ``writeoff_decide`` decides,
and may approve only a balance within their role's ``AuthorityLimit.writeoff_max_amount``
(0: may not). Approval posts to the ledger (``portfolio.services.writeoffs``) and closes
the case as ``written_off``, in one transaction. Every step is audited; evidence files are
stored once under the data directory with their SHA-256 and never overwritten.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.cases.choices import CaseStatus
from arrears.cases.closing_services import case_close
from arrears.cases.models import (
    CollectionCase,
    WriteOffEvidence,
    WriteOffProposal,
    WriteOffStatus,
)
from arrears.cases.plan_services import authority_of
from arrears.core.audit import audit_record
from arrears.core.errors import ArrearsError, Forbidden, InvalidInput
from arrears.core.files import write_once
from arrears.core.money import format_yuan_grouped
from arrears.portfolio.choices import LoanStatus
from arrears.portfolio.models import Loan
from arrears.portfolio.services.writeoffs import loan_write_off, writeoff_balance

EVIDENCE_FOLDER = Path("writeoffs")
EVIDENCE_LIMIT = 20 * 1024 * 1024  # a scanned letter or certificate, not an archive


@dataclass(frozen=True)
class EvidenceFile:
    """An uploaded evidence file: its name as given and its bytes."""

    name: str
    data: bytes


def _require(user: User, capability: str) -> None:
    if not role_can(user.role, capability):
        raise Forbidden(refusal(user.role, capability))


def _keep(case: CollectionCase, evidence: EvidenceFile) -> tuple[str, str]:
    """Store one evidence file under a new name; (relative path, SHA-256)."""
    if not evidence.data:
        raise InvalidInput(
            _("the evidence file %(name)s is empty") % {"name": evidence.name}, field="files"
        )
    if len(evidence.data) > EVIDENCE_LIMIT:
        raise InvalidInput(
            _("the evidence file %(name)s is larger than 20 MB") % {"name": evidence.name},
            field="files",
        )
    suffix = re.sub(r"[^A-Za-z0-9.]", "", Path(evidence.name).suffix)[:10]
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    relative = (
        EVIDENCE_FOLDER
        / str(case.creditor_id)
        / str(case.pk)
        / f"{stamp}_{uuid.uuid4().hex[:8]}{suffix}"
    )
    if not write_once(Path(settings.DATA_DIR) / relative, evidence.data):
        raise ArrearsError(f"{relative} exists already; propose the write-off again")
    return relative.as_posix(), hashlib.sha256(evidence.data).hexdigest()


@transaction.atomic
def writeoff_propose(
    *,
    case: CollectionCase,
    by: User,
    reason: str,
    on: date,
    evidence: str = "",
    files: Sequence[EvidenceFile] = (),
) -> WriteOffProposal:
    """Propose writing off ``case``'s loan; refused for a closed case, a loan not active, a
    missing reason, or a proposal already waiting."""
    _require(by, "writeoff_propose")
    if not reason.strip():
        raise InvalidInput(_("say why the debt should be written off"), field="reason")
    if case.status != CaseStatus.OPEN:
        raise InvalidInput(_("only an open case can be proposed for write-off"), field="case")
    loan = Loan.objects.get(pk=case.loan_id)
    if loan.status != LoanStatus.ACTIVE:
        raise InvalidInput(
            _("loan %(loan)s is %(status)s: only an active loan can be written off")
            % {"loan": loan.loan_id, "status": loan.get_status_display()},
            field="case",
        )
    if WriteOffProposal.objects.filter(case=case, status=WriteOffStatus.PENDING).exists():
        raise InvalidInput(
            _("a write-off of this case is already waiting for a decision"), field="case"
        )
    balance = sum(writeoff_balance(loan, on).values())
    try:
        with transaction.atomic():
            proposal = WriteOffProposal.objects.create(
                case=case,
                loan=loan,
                reason=reason.strip(),
                evidence=evidence.strip(),
                balance=balance,
                proposed_by=by,
                proposed_on=on,
            )
    except IntegrityError as error:
        raise InvalidInput(
            _("a write-off of this case is already waiting for a decision"), field="case"
        ) from error
    stored = []
    for item in files:
        path, digest = _keep(case, item)
        stored.append(
            WriteOffEvidence.objects.create(
                proposal=proposal,
                name=item.name[:200],
                path=path,
                sha256=digest,
                size=len(item.data),
            )
        )
    audit_record(
        actor=by,
        action="writeoff.propose",
        subject_type="writeoff",
        subject_id=proposal.pk,
        data={
            "case": case.pk,
            "loan": loan.loan_id,
            "balance": balance,
            "reason": proposal.reason,
            "files": [{"name": f.name, "sha256": f.sha256} for f in stored],
            "on": on.isoformat(),
        },
    )
    return proposal


def writeoff_limit_check(*, by: User, amount: int) -> None:
    """Refuse (``Forbidden``, naming the limit) a write-off of ``amount`` fen beyond what
    ``by``'s role may approve."""
    limit = authority_of(by.role).writeoff_max_amount
    if amount > limit:
        if limit <= 0:
            message = _("your role (%(role)s) may not approve write-offs") % {
                "role": by.get_role_display()
            }
        else:
            message = _(
                "writing off %(amount)s yuan is beyond your authority: a %(role)s may approve"
                " up to %(limit)s yuan"
            ) % {
                "amount": format_yuan_grouped(amount),
                "role": by.get_role_display(),
                "limit": format_yuan_grouped(limit),
            }
        raise Forbidden(message)


@transaction.atomic
def writeoff_decide(
    *, proposal: WriteOffProposal, by: User, approve: bool, note: str, on: date
) -> WriteOffProposal:
    """Approve (post to the ledger and close the case as written off) or reject a waiting
    proposal. Never by its proposer; approval only within ``by``'s authority for the balance
    owed on ``on``; a rejection says why."""
    _require(by, "writeoff_decide")
    proposal = WriteOffProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != WriteOffStatus.PENDING:
        raise InvalidInput(_("the write-off is not waiting for a decision"), field="proposal")
    if proposal.proposed_by_id == by.pk:
        raise Forbidden(_("you proposed this write-off: someone else must decide it"))
    if not approve and not note.strip():
        raise InvalidInput(_("say why the write-off is rejected"), field="note")
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    proposal.decision_note = note.strip()
    posted = None
    if approve:
        loan = Loan.objects.get(pk=proposal.loan_id)
        writeoff_limit_check(by=by, amount=sum(writeoff_balance(loan, on).values()))
        posted = loan_write_off(loan=loan, on=on, by=by, proposal_id=proposal.pk)
        case = CollectionCase.objects.get(pk=proposal.case_id)
        if case.status == CaseStatus.OPEN:
            case_close(case=case, reason="written_off", on=on)
        proposal.status = WriteOffStatus.APPROVED
    else:
        proposal.status = WriteOffStatus.REJECTED
    proposal.save()
    audit_record(
        actor=by,
        action="writeoff.approve" if approve else "writeoff.reject",
        subject_type="writeoff",
        subject_id=proposal.pk,
        data={
            "case": proposal.case_id,
            "note": proposal.decision_note,
            "written_off": posted.total if posted else None,
            "on": on.isoformat(),
        },
    )
    return proposal
