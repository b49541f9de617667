"""Letters on paper: HTML → PDF with a Chinese font, and the day's print batch.

A letter is "sent" when its PDF is in the print batch of its business date; putting the
batch through a printer and into envelopes is a person's job. The batch of a day lives in
``DATA_DIR/letters/<date>/``: one ``<message_id>.pdf`` per letter, ``manifest.csv`` (UTF-8
with a BOM, so Excel shows the Chinese) listing them in the order they came, and
``batch.pdf``, every letter merged in manifest order for one print job.

WeasyPrint draws the text with fonts that fontconfig finds. Without a CJK font every Chinese
character would print as an empty box, so rendering refuses to run without one (Debian's
``fonts-noto-cjk``, which ``make system-deps`` installs, or ``fonts-wqy-zenhei``).
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from django.conf import settings

from arrears.core.errors import ArrearsError
from arrears.core.files import write_atomically
from arrears.core.spreadsheet import original_text, safe_csv_writer

CJK_FONT_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei")
LETTER_CSS = """
@page { size: A4; margin: 25mm 20mm 25mm 25mm; }
html {
  font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", serif;
  font-size: 12pt;
  line-height: 1.6;
}
body { margin: 0; }
table { border-collapse: collapse; }
"""
MANIFEST = "manifest.csv"
BATCH = "batch.pdf"
MANIFEST_COLUMNS = ("message_id", "recipient_name", "address", "pages", "sha256", "file")
_BOM = "\ufeff".encode()


class LetterError(ArrearsError):
    """A letter or print batch that cannot be made, with what to do about it."""


@dataclass(frozen=True)
class RenderedLetter:
    pdf: bytes
    pages: int


@dataclass(frozen=True)
class ManifestRow:
    message_id: int
    recipient_name: str
    address: str
    pages: int
    sha256: str
    file: str


@dataclass(frozen=True)
class PrintBatch:
    """What ``print_batch_build`` made: ``batch_pdf`` is None on a day without letters."""

    day: date
    letters: int
    pages: int
    batch_pdf: Path | None
    manifest: Path | None


_cjk_font_seen = False


def cjk_fonts() -> list[str]:
    """The font families fontconfig offers for Chinese (empty when there is none)."""
    if shutil.which("fc-list") is None:
        return []
    listing = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    return sorted({line.split(",")[0].strip() for line in listing.splitlines() if line.strip()})


def require_cjk_font() -> None:
    """Raise ``LetterError`` unless a Chinese font is installed (a found one is remembered)."""
    global _cjk_font_seen
    if _cjk_font_seen:
        return
    if not cjk_fonts():
        raise LetterError(
            "no Chinese (CJK) font is installed, so letters would print empty boxes: "
            "run `make system-deps` (installs Debian's fonts-noto-cjk)"
        )
    _cjk_font_seen = True


def render_letter(html: str, *, base_url: str | None = None) -> RenderedLetter:
    """Render a letter's HTML to an A4 PDF with the CJK font embedded; with its page count.

    The A4 stylesheet is given as a user stylesheet, so a template's own styles win.
    """
    from weasyprint import CSS, HTML

    require_cjk_font()
    document = HTML(string=html, base_url=base_url).render(stylesheets=[CSS(string=LETTER_CSS)])
    pdf: bytes = document.write_pdf()
    return RenderedLetter(pdf=pdf, pages=len(document.pages))


def render_letter_pdf(html: str) -> bytes:
    """The PDF of a letter's HTML (A4, 12pt, the CJK font embedded)."""
    return render_letter(html).pdf


def batch_dir(day: date, *, root: Path | None = None) -> Path:
    """The print batch folder of ``day``: ``DATA_DIR/letters/<YYYY-MM-DD>/``."""
    base = root if root is not None else Path(settings.DATA_DIR) / "letters"
    return base / day.isoformat()


def letter_file_name(message_id: int) -> str:
    return f"{message_id}.pdf"


def _read_manifest_bytes(data: bytes) -> list[ManifestRow]:
    text = data.decode("utf-8-sig")
    rows: list[ManifestRow] = []
    seen: set[int] = set()
    for record in csv.DictReader(io.StringIO(text)):
        row = ManifestRow(
            message_id=int(record["message_id"]),
            recipient_name=original_text(record["recipient_name"]),
            address=original_text(record["address"]),
            pages=int(record["pages"]),
            sha256=record["sha256"],
            file=record["file"],
        )
        if row.message_id not in seen:
            seen.add(row.message_id)
            rows.append(row)
    return rows


def read_manifest(day: date, *, root: Path | None = None) -> list[ManifestRow]:
    """The letters in ``day``'s batch, in the order they came (the first row of each)."""
    path = batch_dir(day, root=root) / MANIFEST
    if not path.exists():
        return []
    return _read_manifest_bytes(path.read_bytes())


@contextmanager
def _locked_manifest(folder: Path) -> Iterator[IO[bytes]]:
    """The day's manifest, opened for appending under an exclusive lock (several workers)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / MANIFEST, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def letter_file(
    day: date,
    *,
    message_id: int,
    recipient_name: str,
    address: str,
    html: str,
    root: Path | None = None,
) -> ManifestRow:
    """Put a letter in ``day``'s print batch: its PDF and a manifest row.

    A letter already in the batch is left as it is and its row answered, so a repeated
    attempt neither prints it twice nor replaces the copy the outbox recorded.
    """
    folder = batch_dir(day, root=root)
    name = letter_file_name(message_id)
    filed = _filed(read_manifest(day, root=root), folder, message_id)
    if filed is not None:
        return filed
    # Rendering takes a while: done before taking the lock, so workers render side by side.
    letter = render_letter(html)
    with _locked_manifest(folder) as manifest:
        manifest.seek(0)
        existing = manifest.read()
        filed = _filed(_read_manifest_bytes(existing), folder, message_id)
        if filed is not None:
            return filed
        write_atomically(folder / name, letter.pdf)
        row = ManifestRow(
            message_id=message_id,
            recipient_name=recipient_name,
            address=address,
            pages=letter.pages,
            sha256=hashlib.sha256(letter.pdf).hexdigest(),
            file=name,
        )
        out = io.StringIO()
        # Names and addresses come from tapes: a cell such as "=HYPERLINK(...)" must not
        # run when the print room opens the manifest in Excel.
        writer = safe_csv_writer(out, lineterminator="\r\n")
        if not existing.removeprefix(_BOM).strip():
            writer.writerow(MANIFEST_COLUMNS)
        writer.writerow(
            [row.message_id, row.recipient_name, row.address, row.pages, row.sha256, row.file]
        )
        prefix = b"" if existing else _BOM
        manifest.write(prefix + out.getvalue().encode("utf-8"))
        manifest.flush()
        os.fsync(manifest.fileno())
    return row


def _filed(rows: list[ManifestRow], folder: Path, message_id: int) -> ManifestRow | None:
    for row in rows:
        if row.message_id == message_id and (folder / row.file).exists():
            return row
    return None


def print_batch_build(
    day: date,
    *,
    root: Path | None = None,
    duplex: bool = False,
    on_progress: Callable[[int], object] | None = None,
) -> PrintBatch:
    """Merge ``day``'s letters (manifest order) into ``batch.pdf`` for one print job.

    With ``duplex`` every letter is padded to an even number of pages, so that printed on
    both sides no letter starts on the back of the one before. ``on_progress(1)`` is called
    after each letter is merged (``read_manifest`` gives the count).
    """
    from pypdf import PdfReader, PdfWriter

    folder = batch_dir(day, root=root)
    rows = read_manifest(day, root=root)
    if not rows:
        return PrintBatch(day=day, letters=0, pages=0, batch_pdf=None, manifest=None)
    writer = PdfWriter()
    for row in rows:
        path = folder / row.file
        if not path.exists():
            raise LetterError(f"letter {row.message_id}: {path} is missing from the batch")
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != row.sha256:
            raise LetterError(f"letter {row.message_id}: {path} differs from the manifest")
        reader = PdfReader(io.BytesIO(data))
        writer.append(reader)
        if duplex and len(reader.pages) % 2:
            writer.add_blank_page()
        if on_progress is not None:
            on_progress(1)
    out = io.BytesIO()
    writer.write(out)
    target = folder / BATCH
    write_atomically(target, out.getvalue())
    return PrintBatch(
        day=day,
        letters=len(rows),
        pages=len(writer.pages),
        batch_pdf=target,
        manifest=folder / MANIFEST,
    )


def print_batch(day: date, *, root: Path | None = None, duplex: bool = False) -> Path:
    """Build ``day``'s ``batch.pdf`` and answer its path (``LetterError`` with no letters)."""
    batch = print_batch_build(day, root=root, duplex=duplex)
    if batch.batch_pdf is None:
        raise LetterError(f"no letters in the print batch of {day.isoformat()}")
    return batch.batch_pdf
