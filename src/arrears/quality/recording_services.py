"""Attaching a recording, and its transcript, to a call: checked, hashed, kept, flagged.

Only a contact on the call channel takes a recording. An uploaded file must be audio by its
content (``quality.audio``), agree with its name's extension, and be at most
``ARREARS_RECORDING_MAX_BYTES`` (default 50 MB); it is written once under
``DATA_DIR/quality/recordings/<creditor>/<case>/`` with a new name, never over another file.
A recording the dialer keeps is its URL and the SHA-256 the dialer computed. Nothing is ever
replaced or deleted: a call may have several recordings, a recording several transcripts.

A transcript is UTF-8 (a BOM is dropped) or GB18030 (converted); it is searched for the
compliance linter's forbidden phrases and each hit is stored as a ``CallFlag``. The
recording, the transcript and the flags are written with their audit entry in one
transaction; a file whose row could not be written is removed.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.cases.models import Activity
from arrears.compliance.choices import Channel
from arrears.core.audit import audit_record
from arrears.core.errors import ArrearsError, InvalidInput
from arrears.core.files import write_once
from arrears.quality.audio import FORMATS, audio_format, extension_of
from arrears.quality.choices import RecordingSource
from arrears.quality.flags import transcript_hits
from arrears.quality.models import CallFlag, Recording, Transcript

RECORDINGS_FOLDER = Path("quality") / "recordings"
DEFAULT_RECORDING_MAX_BYTES = 50 * 1024 * 1024  # an hour of 8 kHz call audio is far less
TRANSCRIPT_MAX_BYTES = 2 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class UploadedAudio:
    """An uploaded recording: its name as given and its bytes."""

    name: str
    data: bytes


def recording_max_bytes() -> int:
    """The largest recording file accepted (the setting, or 50 MB)."""
    return int(getattr(settings, "ARREARS_RECORDING_MAX_BYTES", DEFAULT_RECORDING_MAX_BYTES))


def recording_file(recording: Recording) -> Path:
    """Where an uploaded recording's file is kept."""
    return Path(settings.DATA_DIR) / recording.path


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def audio_check(upload: UploadedAudio) -> str:
    """The format of ``upload``, or ``InvalidInput`` (field ``file``) saying why it is
    refused: empty, too large, not audio by its content, or named as another type."""
    size = len(upload.data)
    if size == 0:
        raise InvalidInput(_("the recording file is empty"), field="file")
    if size > recording_max_bytes():
        raise InvalidInput(
            _("the recording is larger than %(mb)s MB") % {"mb": _megabytes(recording_max_bytes())},
            field="file",
        )
    extension = extension_of(upload.name)
    if extension and extension not in FORMATS:
        raise InvalidInput(
            _("“.%(ext)s” files are not accepted: a recording is mp3, wav, m4a, amr or ogg")
            % {"ext": extension},
            field="file",
        )
    found = audio_format(upload.data)
    if found is None:
        raise InvalidInput(
            _("the file is not audio (mp3, wav, m4a, amr or ogg) by its content"), field="file"
        )
    if extension and extension != found:
        raise InvalidInput(
            _("the file is named .%(ext)s but holds %(format)s audio")
            % {"ext": extension, "format": found},
            field="file",
        )
    return found


def sha256_check(text: str, *, field: str = "sha256") -> str:
    """``text`` as a lower-case SHA-256 in hex, or ``InvalidInput`` naming ``field``."""
    digest = text.strip().lower()
    if not _SHA256.match(digest):
        raise InvalidInput(_("the SHA-256 must be 64 hexadecimal characters"), field=field)
    return digest


def url_check(text: str) -> str:
    """``text`` as an http(s) URL of at most 1000 characters, or ``InvalidInput``."""
    url = text.strip()
    if not re.match(r"^https?://[^\s/]+\S*$", url, re.IGNORECASE) or len(url) > 1000:
        raise InvalidInput(
            _("the URL must start with http:// or https:// (at most 1000 characters)"),
            field="url",
        )
    return url


def transcript_text(data: bytes) -> tuple[str, str]:
    """(text, encoding as uploaded) of a transcript file: UTF-8 (a BOM dropped), else
    GB18030; ``InvalidInput`` (field ``transcript``) when it is neither, empty, too large or
    holds control characters (a binary file)."""
    if len(data) > TRANSCRIPT_MAX_BYTES:
        raise InvalidInput(
            _("the transcript is larger than %(mb)s MB") % {"mb": _megabytes(TRANSCRIPT_MAX_BYTES)},
            field="transcript",
        )
    text: str | None = None
    encoding = "utf-8"
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        encoding = "utf-8" if candidate == "utf-8-sig" else candidate
        break
    if text is None or _CONTROL.search(text):
        raise InvalidInput(
            _("the transcript must be plain text in UTF-8 or GB18030"), field="transcript"
        )
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise InvalidInput(_("the transcript is empty"), field="transcript")
    return text, encoding


def _call_check(activity: Activity) -> None:
    if activity.channel != Channel.CALL:
        raise InvalidInput(
            _("only a call takes a recording; this contact is a %(channel)s")
            % {"channel": activity.get_channel_display()},
            field="activity",
        )


def _store(activity: Activity, data: bytes, fmt: str) -> Path:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    relative = (
        RECORDINGS_FOLDER
        / str(activity.case.creditor_id)
        / str(activity.case_id)
        / f"{activity.pk}_{stamp}_{uuid.uuid4().hex[:8]}.{fmt}"
    )
    # The name is new (a stamp and a random part): a recording is never written over another.
    if not write_once(Path(settings.DATA_DIR) / relative, data):
        raise ArrearsError(f"{relative} exists already; attach the recording again")
    return relative


def _transcript_add(
    *, recording: Recording, text: str, encoding: str, by: User | None
) -> tuple[Transcript, list[CallFlag]]:
    transcript = Transcript.objects.create(
        recording=recording,
        text=text,
        encoding=encoding,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        by=by,
    )
    flags = CallFlag.objects.bulk_create(
        CallFlag(
            activity_id=recording.activity_id,
            transcript=transcript,
            category=hit.category,
            phrase=hit.phrase[:200],
            position=hit.position,
        )
        for hit in transcript_hits(text)
    )
    return transcript, flags


def recording_attach(
    *,
    activity: Activity,
    by: User | None,
    upload: UploadedAudio | None = None,
    url: str = "",
    sha256: str = "",
    transcript: bytes | None = None,
) -> Recording:
    """Attach a recording to the call ``activity``: ``upload`` (kept here; ``sha256``, when
    given, must match it), or ``url`` with the dialer's ``sha256``. ``transcript`` (bytes of
    a text file) is attached and searched for forbidden phrases. The caller has checked
    ``by``'s capability and scope (``quality.access.call_for``)."""
    _call_check(activity)
    if upload is None and not url.strip():
        raise InvalidInput(_("give the recording file or its URL"), field="file")
    if upload is not None and url.strip():
        raise InvalidInput(_("give either a recording file or its URL, not both"), field="file")
    text_and_encoding = transcript_text(transcript) if transcript is not None else None
    path: Path | None = None
    if upload is not None:
        fmt = audio_check(upload)
        digest = hashlib.sha256(upload.data).hexdigest()
        if sha256.strip() and sha256_check(sha256) != digest:
            raise InvalidInput(
                _("the SHA-256 given does not match the file's (%(digest)s)") % {"digest": digest},
                field="sha256",
            )
        path = _store(activity, upload.data, fmt)
        fields = {
            "source": RecordingSource.UPLOAD,
            "format": fmt,
            "path": path.as_posix(),
            "name": Path(upload.name).name[:200],
            "size": len(upload.data),
            "sha256": digest,
        }
    else:
        clean_url = url_check(url)
        if not sha256.strip():
            raise InvalidInput(_("a recording kept by URL needs its SHA-256"), field="sha256")
        extension = extension_of(clean_url.split("?", 1)[0])
        fields = {
            "source": RecordingSource.URL,
            "format": extension if extension in FORMATS else "",
            "url": clean_url,
            "sha256": sha256_check(sha256),
        }
    try:
        with transaction.atomic():
            recording = Recording.objects.create(
                activity=activity, case_id=activity.case_id, by=by, **fields
            )
            flags: list[CallFlag] = []
            if text_and_encoding is not None:
                _transcript, flags = _transcript_add(
                    recording=recording,
                    text=text_and_encoding[0],
                    encoding=text_and_encoding[1],
                    by=by,
                )
            audit_record(
                actor=by,
                action="quality.recording",
                subject_type="activity",
                subject_id=activity.pk,
                data={
                    "recording": recording.pk,
                    "case": activity.case_id,
                    "source": recording.source,
                    "sha256": recording.sha256,
                    "size": recording.size,
                    "transcript": text_and_encoding is not None,
                    "flags": len(flags),
                },
            )
    except BaseException:
        if path is not None:
            (Path(settings.DATA_DIR) / path).unlink(missing_ok=True)
        raise
    return recording


def transcript_attach(*, recording: Recording, data: bytes, by: User | None) -> Transcript:
    """Attach a (further) transcript to ``recording`` and flag its forbidden phrases; the
    earlier transcripts and their flags stay."""
    text, encoding = transcript_text(data)
    with transaction.atomic():
        transcript, flags = _transcript_add(
            recording=recording, text=text, encoding=encoding, by=by
        )
        audit_record(
            actor=by,
            action="quality.transcript",
            subject_type="activity",
            subject_id=recording.activity_id,
            data={
                "recording": recording.pk,
                "transcript": transcript.pk,
                "sha256": transcript.sha256,
                "flags": len(flags),
            },
        )
    return transcript
