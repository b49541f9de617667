"""Hand-made XLSX files, written part by part with zipfile: the bombs of issue 14 (a 300 MB
string in a ~300 KB file, millions of blank rows) and small workbooks to compare them with.
Also used by bench/import_bombs.py."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

MIB = 1 << 20
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{_OFFICE}.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    f'ContentType="{_OFFICE}.sharedStrings+xml"/>'
    "</Types>"
)
_PACKAGE_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def row_xml(number: int, values: Iterable[object]) -> str:
    """One sheet row: numbers as numbers, text as inline strings."""
    cells = []
    for index, value in enumerate(values):
        ref = f"{_column(index)}{number}"
        if value is None or value == "":
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def write_xlsx(
    path: Path,
    rows: Iterable[str],
    *,
    shared_strings: Iterable[bytes] = (b"",),
    compresslevel: int = 6,
) -> Path:
    """A workbook whose one sheet holds ``rows`` (XML, see ``row_xml``), streamed to disk."""
    with zipfile.ZipFile(
        path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
    ) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}">'.encode())
            for piece in shared_strings:
                member.write(piece)
            member.write(b"</sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
                "<sheetData>".encode()
            )
            batch: list[str] = []
            for row in rows:
                batch.append(row)
                if len(batch) == 10_000:
                    member.write("".join(batch).encode())
                    batch.clear()
            member.write("".join(batch).encode())
            member.write(b"</sheetData></worksheet>")
    return path


def giant_string_xlsx(path: Path, *, megabytes: int = 300) -> Path:
    """A ~300 KB workbook whose shared strings hold one string of ``megabytes`` MB, used
    as the first header."""

    def strings() -> Iterable[bytes]:
        yield b'<si><t xml:space="preserve">'
        block = b"A" * MIB
        for _ in range(megabytes):
            yield block
        yield b"</t></si>"

    header = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return write_xlsx(path, [header], shared_strings=strings())


def blank_rows_xlsx(path: Path, headers: list[str], *, blank: int = 3_000_000) -> Path:
    """A workbook with a header row and then ``blank`` styled but empty rows."""

    def rows() -> Iterable[str]:
        yield row_xml(1, headers)
        for first in range(2, blank + 2, 100_000):
            yield "".join(
                f'<row r="{n}"><c r="A{n}" s="0"/><c r="B{n}" s="0"/></row>'
                for n in range(first, min(first + 100_000, blank + 2))
            )

    return write_xlsx(path, rows(), compresslevel=1)
