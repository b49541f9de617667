"""What kind of audio a recording's bytes are, judged by their content. Pure module.

A file's name may say ``.mp3`` and hold anything; the first bytes say what it is. Accepted:
MP3 (an ID3 tag or an MPEG audio frame), WAV (RIFF/WAVE), M4A (an ISO media ``ftyp`` box
of an audio brand), AMR (``#!AMR``), Ogg (``OggS``). The name's extension, when it has one,
must agree with the content.
"""

from __future__ import annotations

from pathlib import PurePath

FORMATS = ("mp3", "wav", "m4a", "amr", "ogg")
_M4A_BRANDS = (b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"3gp4", b"3gp5", b"dash")


def audio_format(data: bytes) -> str | None:
    """The format of ``data`` (one of ``FORMATS``), or None when it is not audio this
    system keeps."""
    if data.startswith(b"ID3") and len(data) > 10:
        return "mp3"
    # An MPEG audio frame header: 11 sync bits, then a version and layer that exist.
    if len(data) >= 4 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0:
        version, layer = (data[1] >> 3) & 0b11, (data[1] >> 1) & 0b11
        if version != 0b01 and layer != 0b00 and data[2] >> 4 != 0b1111:
            return "mp3"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[4:8] == b"ftyp" and data[8:12] in _M4A_BRANDS:
        return "m4a"
    if data.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return "amr"
    if data.startswith(b"OggS"):
        return "ogg"
    return None


def extension_of(name: str) -> str:
    """The lower-case extension of ``name`` without the dot ("" when none)."""
    return PurePath(name).suffix.lower().lstrip(".")
