"""Progress output for long commands: a bar with rate and ETA when a person is watching.

One library (tqdm) draws every bar, on standard error, and only when standard error is a
terminal: a command piped into a file, run by cron or by a test prints no bar, so its output
stays exactly the one-line summary (or the JSON) each command prints on standard output.

    with progress(total=len(rows), desc="import", unit="row") as bar:
        for chunk in chunks:
            ...
            bar.update(len(chunk))
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Protocol

from tqdm import tqdm


class Progress(Protocol):
    """What a command may do with its bar: count work done, and say what it is doing."""

    def update(self, n: float = 1) -> object:
        """Count ``n`` more units done."""

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        """Show ``s`` after the bar (for example the current date or channel)."""


class _Silent:
    """The bar when nobody watches: counts nothing, prints nothing."""

    def update(self, n: float = 1) -> None:
        return None

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        return None


def attended(stream: IO[str] | None = None) -> bool:
    """Whether ``stream`` (standard error by default) is a terminal a person can watch."""
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@contextmanager
def progress(
    *,
    total: int | None,
    desc: str,
    unit: str = "it",
    stream: IO[str] | None = None,
    force: bool | None = None,
) -> Iterator[Progress]:
    """A progress bar over ``total`` units (None when unknown: a counter with a rate).

    ``force`` overrides the terminal check (True draws to ``stream`` even when it is not a
    terminal, for tests of the bar itself; False never draws).
    """
    stream = stream if stream is not None else sys.stderr
    show = attended(stream) if force is None else force
    if not show:
        yield _Silent()
        return
    bar = tqdm(
        total=total,
        desc=desc,
        unit=unit,
        unit_scale=False,  # "20/20" and "1234/5000", not "20.0/20.0" and "1.23k/5.00k"
        file=stream,
        dynamic_ncols=True,
        # rate and ETA are in tqdm's default format; redraw at most ten times a second
        mininterval=0.1,
        leave=True,
    )
    try:
        yield bar
    finally:
        bar.close()
