"""Write the court papers' templates from their forms: ``legal/docx/<kind>.docx`` (for Word
and docxtpl) and ``legal/pdf/<kind>.html`` (Django, for the PDF).

    .venv/bin/python -m arrears.legal.documents.make_templates

Run it after changing a form in ``legal.documents.forms``; commit the files it writes. It
overwrites any edit a lawyer made to the shipped templates, so a firm that keeps its own
wording keeps its Word files elsewhere and changes them there. The output is byte for byte
the same on every run: the document's dates are fixed and the zip entries carry a fixed
timestamp (python-docx would stamp the time of saving).
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from arrears.legal.documents.forms import FORMS
from arrears.legal.documents.layout import Content, DocxWriter, form_html

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "legal"
TITLES = {
    "payment_order_application": "支付令申请书",
    "complaint": "民事起诉状",
    "evidence_list": "证据清单",
    "preservation_application": "财产保全申请书",
    "enforcement_application": "强制执行申请书",
    "lawyer_letter": "律师函",
}
FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# 宋体 for Chinese, Times New Roman for Latin letters and digits: what courts' own forms use.
EAST_ASIAN_FONT, LATIN_FONT = "宋体", "Times New Roman"


def _styled_document() -> DocxDocument:
    """An empty A4 document whose Normal style is 宋体 12 pt (小四) with 1.5 line spacing."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(25)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(12)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(0)
    return document


def docx_bytes(title: str, form: tuple[Content, ...]) -> bytes:
    """The form as a DOCX template, with fixed dates and zip timestamps."""
    document = _styled_document()
    DocxWriter(document).contents(form)
    properties = document.core_properties
    properties.title = title
    properties.author = properties.last_modified_by = "Arrears"
    properties.created = properties.modified = properties.last_printed = FIXED_TIME
    properties.revision = 1
    raw = io.BytesIO()
    document.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry stamped ``ZIP_TIME`` (in the same order)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()


def write_templates(folder: Path = TEMPLATES) -> list[Path]:
    """Write every form's DOCX and HTML template under ``folder``; the paths written."""
    written = []
    for kind, form in FORMS.items():
        docx_path = folder / "docx" / f"{kind}.docx"
        html_path = folder / "pdf" / f"{kind}.html"
        docx_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.parent.mkdir(parents=True, exist_ok=True)
        docx_path.write_bytes(docx_bytes(TITLES[kind], form))
        html_path.write_text(
            form_html(TITLES[kind], form, source="legal/documents/make_templates.py"),
            encoding="utf-8",
        )
        written += [docx_path, html_path]
    return written


def main() -> None:
    """Write the templates and list them."""
    for path in write_templates():
        sys.stdout.write(f"{path}\n")


if __name__ == "__main__":
    main()
