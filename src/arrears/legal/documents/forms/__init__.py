"""The forms of the court papers, one per ``DocumentKind`` (see ``layout`` for the blocks)."""

from __future__ import annotations

from arrears.legal.choices import DocumentKind
from arrears.legal.documents.forms.applications import (
    ENFORCEMENT_APPLICATION,
    PAYMENT_ORDER_APPLICATION,
    PRESERVATION_APPLICATION,
)
from arrears.legal.documents.forms.complaint import COMPLAINT
from arrears.legal.documents.forms.lists import EVIDENCE_LIST, LAWYER_LETTER
from arrears.legal.documents.layout import Content

FORMS: dict[str, tuple[Content, ...]] = {
    DocumentKind.PAYMENT_ORDER_APPLICATION.value: PAYMENT_ORDER_APPLICATION,
    DocumentKind.COMPLAINT.value: COMPLAINT,
    DocumentKind.EVIDENCE_LIST.value: EVIDENCE_LIST,
    DocumentKind.PRESERVATION_APPLICATION.value: PRESERVATION_APPLICATION,
    DocumentKind.ENFORCEMENT_APPLICATION.value: ENFORCEMENT_APPLICATION,
    DocumentKind.LAWYER_LETTER.value: LAWYER_LETTER,
}
