"""The template linter: refuses collection messages and letters that threaten, shame or
deceive, and ones that hide who is collecting or how to opt out. Pure module.

The forbidden phrases are data (``data/template_phrases.json``, zh and en) so compliance
staff can extend them without a release. A template must name the creditor (its name, or
a creditor placeholder) and, for SMS and email, carry an opt-out line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PHRASES_FILE = Path(__file__).with_name("data") / "template_phrases.json"
CREDITOR_PLACEHOLDER = re.compile(r"\{\{\s*creditor(?:\.name|_name)\s*\}\}")
OPT_OUT_PLACEHOLDER = re.compile(r"\{\{\s*opt_out\s*\}\}")
# What an opt-out line looks like when written out (退订 = unsubscribe).
OPT_OUT_TEXT = re.compile(r"退订|unsubscribe|reply stop|opt out|opt-out", re.IGNORECASE)
NEEDS_OPT_OUT = frozenset({"sms", "email"})


@dataclass(frozen=True)
class Finding:
    """One reason a template is refused."""

    code: str
    message: str


@cache
def forbidden_phrases(path: Path = PHRASES_FILE) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Category → (reason, phrases in every language)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        code: (entry["reason"], tuple(p for lang in ("zh", "en") for p in entry.get(lang, ())))
        for code, entry in data.items()
        if not code.startswith("_")
    }


def lint_template(text: str, *, channel: str, creditor_name: str) -> list[Finding]:
    """Every reason ``text`` may not be used on ``channel``; empty when it may."""
    findings: list[Finding] = []
    folded = text.casefold()
    for code, (reason, phrases) in forbidden_phrases().items():
        hits = [p for p in phrases if p.casefold() in folded]
        if hits:
            quoted = ", ".join(f"“{p}”" for p in hits)
            findings.append(Finding(code, f"{reason}: {quoted}"))
    named = CREDITOR_PLACEHOLDER.search(text) or (
        creditor_name.strip() and creditor_name.strip() in text
    )
    if not named:
        findings.append(
            Finding(
                "creditor_missing",
                "the creditor must be named (its name or {{ creditor.name }})",
            )
        )
    if channel in NEEDS_OPT_OUT and not (
        OPT_OUT_PLACEHOLDER.search(text) or OPT_OUT_TEXT.search(text)
    ):
        findings.append(
            Finding(
                "opt_out_missing",
                f"every {channel} needs an opt-out line"
                " (回复TD退订 / unsubscribe, or {{ opt_out }})",
            )
        )
    return findings
