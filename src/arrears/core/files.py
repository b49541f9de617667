"""Writing files that are records: whole or not at all, and never over one kept before.

Letters, court papers and evidence bundles are files beside the database. A reader (the
print job, a download, ``bundle-verify``) must never see half of one, and a file kept as
evidence must never be replaced by a later one of the same name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Readable by the service's own user and group only: these files hold personal data.
PRIVATE_FILE_MODE = 0o640


def _temporary_copy(path: Path, data: bytes) -> str:
    """``data`` in a synced temporary file beside ``path``; returns its name."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that no reader ever sees half a file (a file already
    there is replaced in one step)."""
    temporary = _temporary_copy(path, data)
    try:
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_once(path: Path, data: bytes, *, mode: int = PRIVATE_FILE_MODE) -> bool:
    """Keep ``data`` at ``path`` unless a file is there already; ``True`` when written.

    The folders are made as needed. A hard link never replaces an existing name (unlike a
    rename), so two writers racing for one name leave the first file intact.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_copy(path, data)
    try:
        os.chmod(temporary, mode)
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        Path(temporary).unlink(missing_ok=True)
    return True
