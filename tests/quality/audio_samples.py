"""Small byte strings that are (or pretend to be) recordings."""

from __future__ import annotations

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + bytes(400)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(200)
AMR = b"#!AMR\n" + bytes(100)
OGG = b"OggS\x00\x02" + bytes(100)
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00" + bytes(100)
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200)
HTML = b"<script>alert(1)</script>"
