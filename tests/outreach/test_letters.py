"""Letters: Chinese HTML → PDF with the CJK font embedded, the print batch, its command."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from arrears.outreach.channels.base import Outgoing, Result
from arrears.outreach.channels.letter import LetterChannel
from arrears.outreach.letters import cjk_fonts, print_batch, read_manifest, render_letter_pdf

DAY = date(2026, 7, 1)
SENTENCE = "您的借款已逾期三十天，请于七日内归还欠款人民币壹万元整。"
ADDRESS = "上海市浦东新区世纪大道100号8楼"
FONT_MISSING = (
    "No Chinese (CJK) font is installed, so letters would print empty boxes: "
    "run `make system-deps` (it installs Debian's fonts-noto-cjk)."
)


def _require_cjk_font() -> None:
    assert cjk_fonts(), FONT_MISSING


def _letter_html(name: str, *, pages: int = 1) -> str:
    breaks = '<p style="page-break-before: always">（续页）</p>' * (pages - 1)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>'
        f"<h1>催收通知函</h1><p>{name}先生/女士：</p><p>{SENTENCE}</p>{breaks}"
        "</body></html>"
    )


def _letter(message_id: int, name: str, *, pages: int = 1) -> Outgoing:
    return Outgoing(
        message_id=message_id,
        channel="letter",
        to=ADDRESS,
        body=_letter_html(name, pages=pages),
        recipient_name=name,
        idempotency_key=f"arrears-{message_id}",
    )


def _text(pdf: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return "".join(text.split())


def _embedded_font_names(pdf: bytes) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            if {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()):
                names.add(str(font["/BaseFont"]))
    return names


def test_a_chinese_letter_renders_to_a_pdf_that_carries_the_chinese_text_and_font() -> None:
    _require_cjk_font()
    pdf = render_letter_pdf(_letter_html("张三"))

    assert pdf.startswith(b"%PDF-")
    assert SENTENCE in _text(pdf)
    fonts = _embedded_font_names(pdf)
    assert any("CJK" in name or "WenQuanYi" in name for name in fonts), fonts


def test_the_channel_files_the_pdf_and_a_manifest_row_with_its_sha256(tmp_path: Path) -> None:
    _require_cjk_font()
    channel = LetterChannel(business_date=DAY, root=tmp_path)

    results = channel.send([_letter(41, "张三")])

    assert results == [Result("sent", provider_id="41.pdf")]
    folder = tmp_path / "2026-07-01"
    pdf = (folder / "41.pdf").read_bytes()
    assert SENTENCE in _text(pdf)
    raw = (folder / "manifest.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [
        {
            "message_id": "41",
            "recipient_name": "张三",
            "address": ADDRESS,
            "pages": "1",
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "file": "41.pdf",
        }
    ]


def test_a_party_named_like_a_formula_is_neutralised_in_the_manifest(tmp_path: Path) -> None:
    _require_cjk_font()
    channel = LetterChannel(business_date=DAY, root=tmp_path)
    letter = _letter(42, "@SUM(1+1)")

    channel.send([letter])

    raw = (tmp_path / "2026-07-01" / "manifest.csv").read_bytes().decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(raw))
    # Excel reads a leading quote as "text", so the name shows and nothing runs.
    assert row["recipient_name"] == "'@SUM(1+1)"
    assert ",@SUM" not in raw
    assert [r.recipient_name for r in read_manifest(DAY, root=tmp_path)] == ["@SUM(1+1)"]


def test_a_letter_sent_again_is_not_filed_twice(tmp_path: Path) -> None:
    _require_cjk_font()
    channel = LetterChannel(business_date=DAY, root=tmp_path)
    first = channel.send([_letter(41, "张三")])
    pdf = (tmp_path / "2026-07-01" / "41.pdf").read_bytes()

    again = channel.send([_letter(41, "张三")])

    assert again == first
    assert (tmp_path / "2026-07-01" / "41.pdf").read_bytes() == pdf
    assert [row.message_id for row in read_manifest(DAY, root=tmp_path)] == [41]


def test_the_print_batch_merges_the_days_letters_with_all_their_pages(tmp_path: Path) -> None:
    _require_cjk_font()
    channel = LetterChannel(business_date=DAY, root=tmp_path)
    channel.send([_letter(1, "张三"), _letter(2, "李四", pages=2)])

    path = print_batch(DAY, root=tmp_path)

    assert path == tmp_path / "2026-07-01" / "batch.pdf"
    batch = path.read_bytes()
    assert len(PdfReader(io.BytesIO(batch)).pages) == 3
    text = _text(batch)
    assert text.index("张三先生") < text.index("李四先生")
    assert text.count(SENTENCE) == 2


def test_the_letters_command_builds_the_batch_and_answers_json(
    tmp_path: Path, settings: Any
) -> None:
    _require_cjk_font()
    settings.DATA_DIR = tmp_path
    LetterChannel(business_date=DAY).send([_letter(1, "张三", pages=2), _letter(2, "李四")])
    out = io.StringIO()

    call_command("letters", "batch", "--date", "2026-07-01", "--json", stdout=out)

    folder = tmp_path / "letters" / "2026-07-01"
    assert json.loads(out.getvalue()) == {
        "date": "2026-07-01",
        "letters": 2,
        "pages": 3,
        "batch_pdf": str(folder / "batch.pdf"),
        "manifest": str(folder / "manifest.csv"),
    }
    assert len(PdfReader(folder / "batch.pdf").pages) == 3


def test_the_letters_command_on_a_day_without_letters_says_so(
    tmp_path: Path, settings: Any
) -> None:
    settings.DATA_DIR = tmp_path
    out = io.StringIO()

    call_command("letters", "batch", "--date", "2026-07-02", "--json", stdout=out)

    assert json.loads(out.getvalue())["letters"] == 0
    with pytest.raises(CommandError, match="--date"):
        call_command("letters", "batch", "--date", "not a date", stdout=io.StringIO())
