"""One description of a court paper, written out twice: as a Word template and as HTML.

A form (``legal.documents.forms``) is a tuple of paragraphs, tables and template blocks
(``{% for %}``, ``{% if %}``). ``make_templates.py`` writes each form as a DOCX template for
docxtpl (paragraph blocks become ``{%p … %}`` and table-row blocks ``{%tr … %}``, the tags
docxtpl moves out of the paragraph or row they sit in) and as a Django HTML template for the
PDF. Both engines read ``{{ a.b }}``, ``{% for x in xs %}`` and ``{% if x %}…{% else %}``
alike, so the Word file and the PDF print the same words from the same variables.

Text may mark bold parts with ``**…**``. Only used when the templates are (re)generated:
python-docx is needed then, not to render a document.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table as DocxTable
    from docx.table import _Cell

STYLES = ("title", "subtitle", "heading", "body", "plain", "right", "center", "note")


@dataclass(frozen=True)
class Para:
    """A paragraph; ``style`` is one of ``STYLES`` (``body`` indents its first line)."""

    text: str
    style: str = "body"


@dataclass(frozen=True)
class Block:
    """``{% open %}`` body [``{% else %}`` otherwise] ``{% close %}`` around paragraphs."""

    open: str
    close: str
    body: tuple[Content, ...]
    otherwise: tuple[Content, ...] = ()


@dataclass(frozen=True)
class Row:
    """A table row; each cell is a text or a tuple of paragraph contents."""

    cells: tuple[str | tuple[Content, ...], ...]
    header: bool = False


@dataclass(frozen=True)
class Band:
    """A row across the whole table: a section title of a form."""

    text: str


@dataclass(frozen=True)
class RowBlock:
    """``{% open %}`` rows ``{% close %}``: rows repeated (``for``) or kept (``if``)."""

    open: str
    close: str
    rows: tuple[TableRow, ...]


@dataclass(frozen=True)
class Table:
    """A ruled table; ``widths`` are the columns' shares of the text width (percent)."""

    widths: tuple[int, ...]
    rows: tuple[TableRow, ...] = field(default_factory=tuple)


Content = Union[str, Para, Block, Table]  # noqa: UP007 (a runtime alias for the dataclasses)
TableRow = Union[Row, Band, RowBlock]  # noqa: UP007


def each(header: str, *body: Content) -> Block:
    """Repeat ``body`` for ``header`` (``"party in defendants"``)."""
    return Block(f"for {header}", "endfor", body)


def when(test: str, *body: Content, otherwise: tuple[Content, ...] = ()) -> Block:
    """Keep ``body`` if ``test`` holds, else ``otherwise``."""
    return Block(f"if {test}", "endif", body, otherwise)


def rows_each(header: str, *rows: TableRow) -> RowBlock:
    """Repeat table ``rows`` for ``header``."""
    return RowBlock(f"for {header}", "endfor", rows)


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _pieces(text: str) -> list[tuple[str, bool]]:
    """``a **b** c`` → [("a ", False), ("b", True), (" c", False)]."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _BOLD.finditer(text):
        if match.start() > position:
            pieces.append((text[position : match.start()], False))
        pieces.append((match.group(1), True))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


# ---------------------------------------------------------------- HTML (Django templates)


def _html_text(text: str) -> str:
    # Static words are escaped; the {{ }} and {% %} tags hold no <, > or &.
    return "".join(
        f"<strong>{html.escape(piece, quote=False)}</strong>"
        if bold
        else html.escape(piece, quote=False)
        for piece, bold in _pieces(text)
    )


def _html_contents(contents: tuple[Content, ...], out: list[str], *, in_cell: bool) -> None:
    for item in contents:
        if isinstance(item, str):
            item = Para(item, "plain" if in_cell else "body")
        if isinstance(item, Para):
            out.append(f'<p class="{item.style}">{_html_text(item.text)}</p>')
        elif isinstance(item, Block):
            out.append(f"{{% {item.open} %}}")
            _html_contents(item.body, out, in_cell=in_cell)
            if item.otherwise:
                out.append("{% else %}")
                _html_contents(item.otherwise, out, in_cell=in_cell)
            out.append(f"{{% {item.close} %}}")
        else:
            _html_table(item, out)


def _html_rows(rows: tuple[TableRow, ...], columns: int, out: list[str]) -> None:
    for row in rows:
        if isinstance(row, Band):
            out.append(f'<tr><th class="band" colspan="{columns}">{_html_text(row.text)}</th></tr>')
        elif isinstance(row, RowBlock):
            out.append(f"{{% {row.open} %}}")
            _html_rows(row.rows, columns, out)
            out.append(f"{{% {row.close} %}}")
        else:
            tag = "th" if row.header else "td"
            out.append("<tr>")
            for cell in row.cells:
                out.append(f"<{tag}>")
                _html_contents((cell,) if isinstance(cell, str) else cell, out, in_cell=True)
                out.append(f"</{tag}>")
            out.append("</tr>")


def _html_table(table: Table, out: list[str]) -> None:
    out.append('<table class="grid"><colgroup>')
    out.extend(f'<col style="width: {width}%">' for width in table.widths)
    out.append("</colgroup>")
    _html_rows(table.rows, len(table.widths), out)
    out.append("</table>")


def form_html(title: str, contents: tuple[Content, ...], *, source: str) -> str:
    """The Django template of a form, extending ``legal/pdf/base.html``."""
    out = [
        '{% extends "legal/pdf/base.html" %}',
        f"{{% comment %}}Generated by {source} from the form; the Word template beside it"
        " (legal/docx/) has the same words.{% endcomment %}",
        f"{{% block title %}}{html.escape(title)}{{% endblock %}}",
        "{% block content %}",
    ]
    _html_contents(contents, out, in_cell=False)
    out.append("{% endblock %}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- DOCX (docxtpl templates)


class DocxWriter:
    """Writes a form into a python-docx document as a docxtpl template."""

    def __init__(self, document: DocxDocument) -> None:
        self.document = document

    def _paragraph(self, container: DocxDocument | _Cell, text: str, style: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        paragraph = container.add_paragraph()
        fmt = paragraph.paragraph_format
        size = {"title": 18, "subtitle": 14, "note": 10.5}.get(style)
        if style in ("title", "subtitle", "center"):
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif style == "right":
            fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif style == "body":
            fmt.first_line_indent = Pt(24)  # two characters of 12 pt
        if style == "title":
            fmt.space_after = Pt(12)
        for piece, bold in _pieces(text):
            run = paragraph.add_run(piece)
            run.bold = bold or style in ("title", "heading")
            if size is not None:
                run.font.size = Pt(size)

    def _tag(self, container: DocxDocument | _Cell, prefix: str, tag: str) -> None:
        container.add_paragraph(f"{{%{prefix} {tag} %}}")

    def contents(
        self, contents: tuple[Content, ...], container: DocxDocument | _Cell | None = None
    ) -> None:
        """Append ``contents`` to the document body (or to a table cell)."""
        target = container if container is not None else self.document
        in_cell = target is not self.document
        for item in contents:
            if isinstance(item, str):
                item = Para(item, "plain" if in_cell else "body")
            if isinstance(item, Para):
                self._paragraph(target, item.text, item.style)
            elif isinstance(item, Block):
                self._tag(target, "p", item.open)
                self.contents(item.body, target)
                if item.otherwise:
                    self._tag(target, "p", "else")
                    self.contents(item.otherwise, target)
                self._tag(target, "p", item.close)
            elif in_cell:
                raise ValueError("a table cannot sit in a table cell")
            else:
                self.table(item)

    def _rows(self, table: DocxTable, rows: tuple[TableRow, ...], columns: int) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        for row in rows:
            cells = table.add_row().cells
            if isinstance(row, Band):
                merged = cells[0].merge(cells[-1])
                paragraph = merged.paragraphs[0]
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paragraph.add_run(row.text.replace("**", "")).bold = True
            elif isinstance(row, RowBlock):
                # docxtpl replaces the whole row holding a {%tr %} tag with the tag.
                cells[0].paragraphs[0].add_run(f"{{%tr {row.open} %}}")
                self._rows(table, row.rows, columns)
                table.add_row().cells[0].paragraphs[0].add_run(f"{{%tr {row.close} %}}")
            else:
                for cell, content in zip(cells, row.cells, strict=True):
                    parts = (content,) if isinstance(content, str) else content
                    if row.header:
                        parts = tuple(
                            Para(f"**{p}**", "center") for p in parts if isinstance(p, str)
                        )
                    self.contents(parts, cell)
                    # A new cell starts with one empty paragraph: drop it once filled.
                    first = cell.paragraphs[0]
                    if len(cell.paragraphs) > 1 and not first.text:
                        first._element.getparent().remove(first._element)

    def table(self, table: Table) -> None:
        """Append a ruled table whose columns share the text width as ``table.widths``."""
        from docx.shared import Emu

        section = self.document.sections[0]
        width = int(section.page_width or 0) - int(section.left_margin or 0)
        width -= int(section.right_margin or 0)
        grid = self.document.add_table(rows=0, cols=len(table.widths))
        grid.style = "Table Grid"
        grid.autofit = False
        for column, share in zip(grid.columns, table.widths, strict=True):
            column.width = Emu(width * share // 100)
        self._rows(grid, table.rows, len(table.widths))
        for row in grid.rows:
            for cell, share in zip(row.cells, table.widths, strict=True):
                cell.width = Emu(width * share // 100)
