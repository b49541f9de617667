"""Anchors: the audit chain's head kept outside the database.

An anchor is one JSON line ``{"at", "count", "hash", "key_id", "legacy"}``: after
``count`` entries the chain's hash was ``hash``, the last entry signed with ``key_id`` and
``legacy`` entries unkeyed. ``arrears audit anchor`` appends one to a file the operator
chooses (by default ``DATA_DIR/anchors.jsonl``) or posts it to an address; ``arrears audit
verify`` checks the chain against them. Someone who can change the database but not the
anchors cannot remove entries or rewrite the chain without it showing.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings

from arrears.core.errors import InvalidInput

ANCHOR_FILE_NAME = "anchors.jsonl"
POST_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Anchor:
    """The chain's head at one moment, as exported outside the database."""

    at: str
    count: int
    hash: str
    key_id: str
    legacy: int | None = None

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def anchor_default_path() -> Path:
    return Path(settings.DATA_DIR) / ANCHOR_FILE_NAME


def anchors_read(path: Path) -> list[Anchor]:
    """Every anchor in a file, or a clear error naming the line that is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"Cannot read the anchor file {path}: {error.strerror}") from error
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            anchor = Anchor(
                at=str(raw.get("at", "")),
                count=int(raw["count"]),
                hash=str(raw["hash"]),
                key_id=str(raw.get("key_id", "")),
                legacy=None if raw.get("legacy") is None else int(raw["legacy"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise InvalidInput(
                f"{path}, line {number}: not an audit anchor (a JSON line with count and hash)"
            ) from error
        if anchor.count < 0 or len(anchor.hash) != 64:
            raise InvalidInput(f"{path}, line {number}: not an audit anchor (bad count or hash)")
        anchors.append(anchor)
    return anchors


def anchor_append(path: Path, anchor: Anchor) -> None:
    """Add the anchor as one line; the file is only ever appended to."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(anchor.line() + "\n")
    except OSError as error:
        raise InvalidInput(f"Cannot write the anchor to {path}: {error.strerror}") from error


def anchor_post(url: str, anchor: Anchor) -> int:
    """POST the anchor as JSON to the operator's address; its HTTP status, or a clear error."""
    if not url.startswith(("https://", "http://")):
        raise InvalidInput(f"The anchor address must be an http:// or https:// URL, not {url!r}")
    request = urllib.request.Request(
        url,
        data=anchor.line().encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=POST_TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        raise InvalidInput(f"{url} refused the anchor: HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise InvalidInput(f"Could not post the anchor to {url}: {reason}") from error
