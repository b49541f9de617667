"""Record files are written whole, and a kept one is never written over."""

from __future__ import annotations

import stat
from pathlib import Path

from arrears.core.files import write_atomically, write_once


def test_write_once_keeps_the_first_file_and_leaves_no_temporary_behind(tmp_path: Path) -> None:
    target = tmp_path / "kept" / "bundle.zip"

    assert write_once(target, b"first") is True
    assert write_once(target, b"second") is False

    assert target.read_bytes() == b"first"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640, "personal data: not world-readable"
    assert [p.name for p in target.parent.iterdir()] == ["bundle.zip"]


def test_write_atomically_replaces_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "batch.pdf"
    write_atomically(target, b"old")

    write_atomically(target, b"new")

    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["batch.pdf"]
