"""Which uploaded files a visit keeps as evidence: photos (JPEG, PNG, WebP) and PDFs.

Pure: no Django import. A file is judged by its bytes, never by the name or the type the
browser sent: a page or a script renamed ``photo.png`` is refused, and a PDF that would run
code when opened (JavaScript, launch actions, embedded files) is refused as hostile. The
caller words the refusals (``EvidenceProblem.code``) in the user's language.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePath

# One photo from a phone camera is 2–8 MB; a scanned page as PDF well under that.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 10

# Why a file is refused (``EvidenceProblem.code``).
EMPTY = "empty"
TOO_LARGE = "too_large"
UNKNOWN_TYPE = "unknown_type"  # not a JPEG, PNG, WebP or PDF by its bytes
NAME_MISMATCH = "name_mismatch"  # the name's extension says another type than the bytes
HOSTILE = "hostile"  # active content (a PDF with scripts), or markup hidden in an image

# The kinds kept, by the bytes they start with: (kind, content type, extensions).
_SIGNATURES: tuple[tuple[bytes, str, str, tuple[str, ...]], ...] = (
    (b"\xff\xd8\xff", "jpeg", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png", (".png",)),
    (b"%PDF-", "pdf", "application/pdf", (".pdf",)),
)
# PDF names that make a reader act on opening: scripts, launching programs, attachments.
_PDF_ACTIVE = re.compile(
    rb"/(?:JavaScript|JS|Launch|EmbeddedFile|OpenAction|AA|RichMedia|XFA|SubmitForm)\b"
)
# Markup a browser might run if an image were ever served as a page.
_MARKUP = re.compile(rb"<\s*(?:script|html|svg|iframe|body|\?php)\b", re.IGNORECASE)


class EvidenceProblem(ValueError):
    """Why the file ``name`` is not kept: ``code`` is one of the module's constants."""

    def __init__(self, code: str, name: str) -> None:
        super().__init__(code, name)
        self.code, self.name = code, name


@dataclass(frozen=True)
class CheckedFile:
    """An evidence file found acceptable: its name, bytes, kind, type and SHA-256."""

    name: str
    data: bytes
    kind: str  # jpeg, png, webp, pdf
    content_type: str
    extension: str
    sha256: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def _sniff(data: bytes) -> tuple[str, str, tuple[str, ...]] | None:
    for magic, kind, content_type, extensions in _SIGNATURES:
        if data.startswith(magic):
            return kind, content_type, extensions
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "image/webp", (".webp",)
    return None


def safe_name(name: str) -> str:
    """The file's own name without folders or control characters, at most 120 characters."""
    base = PurePath(name.replace("\\", "/")).name
    base = re.sub(r"[\x00-\x1f\x7f/\\]", "", base).strip()
    return base[-120:] or "file"


def evidence_check(name: str, data: bytes) -> CheckedFile:
    """``data`` (uploaded as ``name``) as evidence, or ``EvidenceProblem`` saying why not."""
    shown = safe_name(name)
    if not data:
        raise EvidenceProblem(EMPTY, shown)
    if len(data) > MAX_FILE_BYTES:
        raise EvidenceProblem(TOO_LARGE, shown)
    sniffed = _sniff(data)
    if sniffed is None:
        raise EvidenceProblem(UNKNOWN_TYPE, shown)
    kind, content_type, extensions = sniffed
    extension = PurePath(shown).suffix.lower()
    if extension and extension not in extensions:
        raise EvidenceProblem(NAME_MISMATCH, shown)
    if kind == "pdf" and _PDF_ACTIVE.search(data):
        raise EvidenceProblem(HOSTILE, shown)
    if kind != "pdf" and _MARKUP.search(data):
        raise EvidenceProblem(HOSTILE, shown)
    return CheckedFile(
        name=shown,
        data=data,
        kind=kind,
        content_type=content_type,
        extension=extensions[0],
        sha256=hashlib.sha256(data).hexdigest(),
    )
