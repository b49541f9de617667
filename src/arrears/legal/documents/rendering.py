"""A court paper's bytes from its context: DOCX through docxtpl, PDF through Django and
WeasyPrint (the outreach letters' renderer, with its CJK font check and A4 page).

Values are escaped in both: docxtpl with ``autoescape`` (a name holding ``&`` or ``<``
would otherwise break the document's XML), Django by default.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from arrears.core.errors import InvalidInput
from arrears.legal.choices import DocumentFormat, DocumentKind
from arrears.outreach.letters import render_letter_pdf

DOCX_TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "legal" / "docx"
MEDIA_TYPES = {
    DocumentFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentFormat.PDF: "application/pdf",
}


def docx_template_path(kind: str) -> Path:
    """The Word template of ``kind`` (``legal/docx/<kind>.docx``)."""
    return DOCX_TEMPLATES / f"{DocumentKind(kind).value}.docx"


def render_docx(kind: str, context: dict[str, Any]) -> bytes:
    """The ``kind`` paper as a Word document filled from ``context``."""
    from docxtpl import DocxTemplate

    template = DocxTemplate(str(docx_template_path(kind)))
    template.render(context, autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def render_pdf(kind: str, context: dict[str, Any]) -> bytes:
    """The ``kind`` paper as an A4 PDF with the CJK font embedded."""
    html = render_to_string(f"legal/pdf/{DocumentKind(kind).value}.html", context)
    return render_letter_pdf(html)


def render_document(kind: str, fmt: str, context: dict[str, Any]) -> bytes:
    """The paper's bytes in ``fmt`` (``docx`` or ``pdf``); ``InvalidInput`` for others."""
    if fmt == DocumentFormat.DOCX:
        return render_docx(kind, context)
    if fmt == DocumentFormat.PDF:
        return render_pdf(kind, context)
    raise InvalidInput(f"format must be docx or pdf, not {fmt!r}", field="format")
