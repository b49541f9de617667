"""Which files a visit keeps as evidence: judged by their bytes, hostile ones refused."""

from __future__ import annotations

import hashlib

import pytest

from arrears.field.evidence_files import (
    EMPTY,
    HOSTILE,
    MAX_FILE_BYTES,
    NAME_MISMATCH,
    TOO_LARGE,
    UNKNOWN_TYPE,
    EvidenceProblem,
    evidence_check,
    safe_name,
)
from tests.field.images import png


def test_a_photo_is_kept_with_its_sha256_and_type_from_its_bytes() -> None:
    data = png()

    checked = evidence_check("门口照片.PNG", data)

    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert (checked.content_type, checked.extension, checked.is_image) == (
        "image/png",
        ".png",
        True,
    )


def test_a_pdf_without_active_content_is_kept() -> None:
    checked = evidence_check("回执.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF")
    assert checked.content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("photo.png", b"", EMPTY),
        ("photo.png", b"<html><script>alert(1)</script></html>", UNKNOWN_TYPE),
        ("photo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', UNKNOWN_TYPE),
        ("run.exe", b"MZ\x90\x00\x03", UNKNOWN_TYPE),
        ("photo.pdf", png(), NAME_MISMATCH),
        ("photo.png", png() + b"<script>alert(1)</script>", HOSTILE),
        (
            "letter.pdf",
            b"%PDF-1.4\n<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
            HOSTILE,
        ),
        ("big.png", png() + b"\x00" * MAX_FILE_BYTES, TOO_LARGE),
    ],
)
def test_a_hostile_or_unknown_file_is_refused_saying_why(name: str, data: bytes, code: str) -> None:
    with pytest.raises(EvidenceProblem) as refused:
        evidence_check(name, data)
    assert refused.value.code == code


def test_a_file_name_loses_its_folders_and_control_characters() -> None:
    assert safe_name("../../etc/passwd\x00.png") == "passwd.png"
    assert safe_name("C:\\Users\\me\\照片.jpg") == "照片.jpg"
