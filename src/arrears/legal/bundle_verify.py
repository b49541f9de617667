"""Checking an evidence bundle from the zip alone: every file against the manifest, the
manifest against its recorded hash. No database here (the command line adds the audit-log
check: ``arrears.legal.bundle.bundle_recorded``).

A bundle holds ``manifest.csv`` (UTF-8 with a BOM: ``file, size, sha256`` for every other
file) and ``manifest.sha256`` (``<hex>  manifest.csv``, the line ``sha256sum`` writes, so
``sha256sum -c manifest.sha256`` works on an unzipped copy). The manifest's hash is also on
the audit chain when the bundle is made, which is what catches a forger who rewrites a file
*and* both manifest files: the zip alone cannot.

A one-byte change shows whichever way it was made: a member rewritten shows as its SHA-256
(or size) differing from the manifest's; a byte flipped in the zip's raw bytes shows as the
member failing its CRC or its header check, reported as changed too.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from arrears.core.errors import InvalidInput, NotFound
from arrears.core.spreadsheet import original_text, safe_csv_writer

MANIFEST = "manifest.csv"
MANIFEST_HASH = "manifest.sha256"
MANIFEST_COLUMNS = ("file", "size", "sha256")
BOM = "\ufeff".encode()
_CHUNK = 1 << 20
_UTF8_FLAG = 0x800  # general purpose bit 11: the name is UTF-8
_HEX64 = re.compile(r"[0-9a-f]{64}")
# What reading a damaged member raises: a CRC or header mismatch, a broken deflate stream,
# a truncated file, an encrypted or unknown compression method.
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    RuntimeError,
    ValueError,
    NotImplementedError,
)


class BundleError(InvalidInput):
    """A file that cannot be checked as an evidence bundle (not a zip, no manifest)."""


@dataclass(frozen=True)
class ManifestEntry:
    """One file a bundle's manifest lists: its path inside the zip, size and SHA-256."""

    file: str
    size: int
    sha256: str


def manifest_bytes(entries: Iterable[ManifestEntry]) -> bytes:
    """The ``manifest.csv`` of ``entries``: UTF-8 with a BOM, CRLF, spreadsheet-safe."""
    out = io.StringIO()
    writer = safe_csv_writer(out, lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    for entry in entries:
        writer.writerow([entry.file, entry.size, entry.sha256])
    return BOM + out.getvalue().encode("utf-8")


def manifest_hash_bytes(manifest: bytes) -> bytes:
    """The ``manifest.sha256`` of a manifest: one ``sha256sum`` line."""
    return f"{hashlib.sha256(manifest).hexdigest()}  {MANIFEST}\n".encode()


def _read_manifest(data: bytes) -> list[ManifestEntry] | None:
    """The manifest's entries, or None when it is not a manifest any more (edited)."""
    try:
        text = data.decode("utf-8-sig")
        reader = csv.reader(io.StringIO(text))
        if tuple(next(reader, ())) != MANIFEST_COLUMNS:
            return None
        entries = []
        for row in reader:
            if not row:
                continue
            name, size, digest = row
            if not _HEX64.fullmatch(digest):
                return None
            entries.append(ManifestEntry(original_text(name), int(size), digest))
    except (UnicodeDecodeError, ValueError):
        return None
    return entries


def _claimed_manifest_hash(data: bytes) -> str:
    """The hex digest ``manifest.sha256`` holds ('' when it holds none)."""
    digest = data.decode("utf-8", errors="replace").split(" ", 1)[0].strip().lower()
    return digest if _HEX64.fullmatch(digest) else ""


@dataclass(frozen=True)
class VerifyResult:
    """What checking a bundle found. ``files`` counts the zip's members; the three lists
    name each file whose content differs, that the manifest lists but the zip lacks, and
    that the zip holds but the manifest does not list.

    ``manifest_sha256`` is the hash of the ``manifest.csv`` inside, ``manifest_claimed``
    the one ``manifest.sha256`` records. ``recorded`` is None until the audit log was
    consulted (``with_record``), then whether it holds this bundle's manifest hash.
    """

    path: Path
    files: int
    manifest_sha256: str
    manifest_claimed: str
    changed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    reasons: dict[str, str] = field(default_factory=dict)
    recorded: bool | None = None

    @property
    def manifest_ok(self) -> bool:
        """Does ``manifest.csv`` hash to what ``manifest.sha256`` says?"""
        return bool(self.manifest_claimed) and self.manifest_claimed == self.manifest_sha256

    @property
    def intact(self) -> bool:
        """Every file as the manifest lists it, nothing missing or added."""
        return not (self.changed or self.missing or self.extra)

    def problems(self) -> list[str]:
        """One line a person reads per problem: ``changed: 03_还款记录/payments.csv``."""
        lines = []
        for kind, names in (("changed", self.changed), ("missing", self.missing)):
            lines += [_line(kind, name, self.reasons.get(name)) for name in names]
        lines += [_line("extra", name, "not in the manifest") for name in self.extra]
        return lines

    def with_record(self, recorded_manifest_sha256: str | None) -> VerifyResult:
        """This result once the audit log was asked: ``recorded_manifest_sha256`` is the
        manifest hash it records for this bundle (None when it records neither hash found
        inside). A record settles which of the two manifest files was changed."""
        if recorded_manifest_sha256 is None:
            return replace(self, recorded=False)
        if self.manifest_ok or MANIFEST not in self.changed:
            return replace(self, recorded=True)
        # The two manifest files disagree; the audit log says which one is the original.
        blamed = MANIFEST_HASH if recorded_manifest_sha256 == self.manifest_sha256 else MANIFEST
        changed = tuple(name for name in self.changed if name not in (MANIFEST, MANIFEST_HASH))
        reasons = dict(self.reasons)
        reasons[blamed] = "differs from the hash the audit log records"
        return replace(self, changed=(*changed, blamed), reasons=reasons, recorded=True)


def _line(kind: str, name: str, reason: str | None) -> str:
    return f"{kind}: {name}" + (f" ({reason})" if reason else "")


def _member_digest(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, str]:
    """Size and SHA-256 of one member, streamed (a large letter never sits in memory)."""
    digest = hashlib.sha256()
    size = 0
    with archive.open(info) as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its maker wrote it. A zip tool that does not mark names as UTF-8
    (Info-ZIP on Linux, many on a Chinese Windows) stores the bytes of the local encoding,
    which Python reads as CP437: an unpacked bundle zipped again would otherwise show every
    file as missing and again as extra."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _open(path: Path) -> zipfile.ZipFile:
    if not path.exists():
        raise NotFound(f"{path}: no such file")
    if not path.is_file():
        raise BundleError(f"{path} is not a file")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleError(
            f"{path} is not a zip file (or is damaged beyond reading): {exc}"
        ) from exc


def bundle_verify(path: Path) -> VerifyResult:
    """Check the bundle at ``path`` against its own manifest.

    Raises ``NotFound`` or ``BundleError`` when ``path`` is no bundle at all (not a zip,
    or a zip with neither manifest file); anything else is reported in the result.
    """
    with _open(path) as archive:
        # Folder entries carry no content: a person re-zipping an unpacked bundle adds them.
        members = [info for info in archive.infolist() if not info.is_dir()]
        names = [member_name(info) for info in members]
        if MANIFEST not in names and MANIFEST_HASH not in names:
            raise BundleError(f"{path} is not an evidence bundle: it has no {MANIFEST}")
        digests: dict[str, tuple[int, str]] = {}
        reasons: dict[str, str] = {}
        duplicates: list[str] = []
        found: dict[str, zipfile.ZipInfo] = {}
        for name, info in zip(names, members, strict=True):
            if name in found:
                # A second member of the same name would be the one an unzip tool keeps.
                duplicates.append(name)
                continue
            found[name] = info
            try:
                digests[name] = _member_digest(archive, info)
            except _UNREADABLE as exc:
                reasons[name] = f"unreadable: {exc}"
        manifest_data = archive.read(found[MANIFEST]) if MANIFEST in digests else None
        claimed = archive.read(found[MANIFEST_HASH]) if MANIFEST_HASH in digests else b""
    return _compare(path, len(members), manifest_data, claimed, digests, reasons, duplicates)


def _compare(
    path: Path,
    files: int,
    manifest_data: bytes | None,
    claimed_data: bytes,
    digests: dict[str, tuple[int, str]],
    reasons: dict[str, str],
    duplicates: list[str],
) -> VerifyResult:
    changed: list[str] = []
    missing: list[str] = []
    manifest_sha = hashlib.sha256(manifest_data).hexdigest() if manifest_data is not None else ""
    claimed = _claimed_manifest_hash(claimed_data)
    if MANIFEST_HASH in reasons:
        changed.append(MANIFEST_HASH)
    elif MANIFEST_HASH not in digests:
        missing.append(MANIFEST_HASH)
    elif not claimed:
        changed.append(MANIFEST_HASH)
        reasons[MANIFEST_HASH] = "holds no SHA-256"
    entries = _read_manifest(manifest_data) if manifest_data is not None else None
    if manifest_data is None:
        (changed if MANIFEST in reasons else missing).append(MANIFEST)
    elif entries is None:
        changed.append(MANIFEST)
        reasons[MANIFEST] = "no longer a manifest"
    elif claimed and claimed != manifest_sha:
        # From the zip alone the two cannot be told apart; the audit log can (with_record).
        changed.append(MANIFEST)
        reasons[MANIFEST] = f"its SHA-256 is not the one {MANIFEST_HASH} records"
    listed: set[str] = set()
    for entry in entries or []:
        listed.add(entry.file)
        if entry.file in reasons:
            changed.append(entry.file)
        elif entry.file not in digests:
            missing.append(entry.file)
        elif digests[entry.file] != (entry.size, entry.sha256):
            changed.append(entry.file)
    if entries is None:
        # Without a readable manifest every other file is unverified rather than "extra".
        listed = set(digests) | set(reasons)
    own = {MANIFEST, MANIFEST_HASH}
    extra = sorted((set(digests) | set(reasons)) - listed - own)
    for name in duplicates:
        reasons.setdefault(name, "stored twice in the zip")
        if name not in changed:
            changed.append(name)
    return VerifyResult(
        path=path,
        files=files,
        manifest_sha256=manifest_sha,
        manifest_claimed=claimed,
        changed=tuple(changed),
        missing=tuple(missing),
        extra=tuple(extra),
        reasons=reasons,
    )
