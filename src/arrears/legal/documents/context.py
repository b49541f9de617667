"""The variables of a court paper: one dict per document, the same for Word and PDF.

``document_context`` reads the loan, its parties, the claim and the matter (if any) and
returns plain strings, lists and dicts (and a few booleans for ``{% if %}``), so a DOCX
template (Jinja, through docxtpl) and an HTML template (Django) print the same text from
the same names. docs/legal/documents.md lists every variable.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from arrears.core.errors import InvalidInput
from arrears.legal.choices import DocumentKind, MatterEventKind, MatterKind
from arrears.legal.claims import Claim
from arrears.legal.documents.evidence import default_evidence
from arrears.legal.documents.figures import claim_figures, claim_lines, loan_figures
from arrears.legal.documents.parties import BLANK, chinese_date, loan_parties
from arrears.legal.models import Matter
from arrears.outreach.rendering import NOTICE_DAYS
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.selectors import loan_state

# The word for the other side in each paper (被告 in a suit, 被申请人 in an application …).
OPPONENT_WORD = {
    DocumentKind.PAYMENT_ORDER_APPLICATION: "被申请人",
    DocumentKind.COMPLAINT: "被告",
    DocumentKind.EVIDENCE_LIST: "被告",
    DocumentKind.PRESERVATION_APPLICATION: "被申请人",
    DocumentKind.ENFORCEMENT_APPLICATION: "被执行人",
    DocumentKind.LAWYER_LETTER: "收函人",
}
OWN_WORD = {
    DocumentKind.PAYMENT_ORDER_APPLICATION: "申请人",
    DocumentKind.COMPLAINT: "原告",
    DocumentKind.EVIDENCE_LIST: "原告",
    DocumentKind.PRESERVATION_APPLICATION: "申请人",
    DocumentKind.ENFORCEMENT_APPLICATION: "申请执行人",
    DocumentKind.LAWYER_LETTER: "委托人",
}


def creditor_facts(creditor: Creditor) -> dict[str, str]:
    """The creditor as the plaintiff or applicant (an organisation). The ledger keeps only
    its name: the credit code, seat and legal representative are lines to fill."""
    return {
        "name": creditor.name,
        "uscc": BLANK,
        "address": BLANK,
        "registered_at": BLANK,
        "representative": BLANK,
        "representative_post": BLANK,
        "phone": BLANK,
    }


def _matter_events(matter: Matter) -> dict[str, date]:
    """The last date of each kind of event on ``matter``."""
    return {
        kind: occurred_on
        for kind, occurred_on in matter.events.order_by("occurred_on", "id").values_list(
            "kind", "occurred_on"
        )
    }


def enforcement_basis(matter: Matter | None) -> dict[str, str]:
    """The judgment, mediation or payment order an enforcement rests on (执行依据): the
    matter's parent (the suit or payment order it follows), or the matter itself when it is
    that suit or order. Unknown parts are blanks."""
    source = matter.parent if matter is not None and matter.parent_id else matter
    basis = {
        "court": BLANK,
        "case_number": BLANK,
        "document": "民事判决书",
        "decided_on": BLANK,
        "effective_on": BLANK,
    }
    if source is None or source.kind not in (MatterKind.LAWSUIT, MatterKind.PAYMENT_ORDER):
        return basis
    events = _matter_events(source)
    if source.kind == MatterKind.PAYMENT_ORDER:
        document = "支付令"
    elif MatterEventKind.MEDIATED in events:
        document = "民事调解书"
    else:
        document = "民事判决书"
    decided = (
        events.get(MatterEventKind.ISSUED)
        or events.get(MatterEventKind.MEDIATED)
        or events.get(MatterEventKind.JUDGMENT)
    )
    effective = events.get(MatterEventKind.EFFECTIVE)
    basis.update(
        court=source.court or BLANK,
        case_number=source.case_number or BLANK,
        document=document,
        decided_on=chinese_date(decided) if decided else BLANK,
        effective_on=chinese_date(effective) if effective else BLANK,
    )
    return basis


def document_context(
    *,
    loan: Loan,
    kind: str,
    as_of: date,
    claim: Claim,
    matter: Matter | None = None,
    today: date,
) -> dict[str, Any]:
    """Every variable of the ``kind`` paper for ``loan`` with figures as of ``as_of``;
    ``today`` is the date printed beside the signature. ``InvalidInput`` when the loan
    has no borrower on file (a court paper needs someone to name)."""
    document_kind = DocumentKind(kind)
    borrowers, guarantors = loan_parties(loan)
    if not borrowers:
        raise InvalidInput(f"loan '{loan.loan_id}' has no borrower on file", field="loan")
    state = loan_state(loan, as_of=as_of)
    creditor = creditor_facts(loan.creditor)
    terms = loan_figures(loan, state, accelerated=claim.accelerated)
    figures = claim_figures(loan, claim)
    as_of_text = chinese_date(as_of)
    defendants = borrowers + guarantors
    return {
        "kind": document_kind.value,
        "title": str(document_kind.label),
        "own_word": OWN_WORD[document_kind],
        "opponent_word": OPPONENT_WORD[document_kind],
        "as_of": as_of_text,
        "today": chinese_date(today),
        "pay_by": chinese_date(as_of + timedelta(days=NOTICE_DAYS)),
        "blank": BLANK,
        "creditor": creditor,
        "borrower": borrowers[0],
        "borrowers": borrowers,
        "borrower_names": "、".join(party["name"] for party in borrowers),
        "guarantors": guarantors,
        "has_guarantors": bool(guarantors),
        "guarantor_names": "、".join(party["name"] for party in guarantors),
        "defendants": defendants,
        "defendant_names": "、".join(party["name"] for party in defendants),
        "borrower_count": str(len(borrowers)),
        "defendant_count": str(len(defendants)),
        "loan": terms,
        "claim": figures,
        "claim_lines": claim_lines(claim),
        "evidence": default_evidence(
            creditor=creditor,
            loan=terms,
            claim=figures,
            borrowers=borrowers,
            guarantors=guarantors,
            as_of=as_of_text,
        ),
        "court": (matter.court if matter is not None and matter.court else BLANK),
        "case_number": (matter.case_number if matter is not None and matter.case_number else BLANK),
        "basis": enforcement_basis(matter),
    }
