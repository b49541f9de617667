"""Searching a call's transcript for the compliance linter's forbidden phrases. Pure module.

The phrases are the linter's (``compliance.linter.forbidden_phrases``): one list, kept by
compliance staff, judges both the letters sent and the words said on a call.
"""

from __future__ import annotations

from dataclasses import dataclass

from arrears.compliance.linter import forbidden_phrases


@dataclass(frozen=True)
class PhraseHit:
    """A forbidden phrase found in a transcript: its category (the linter's code), the
    phrase, and where it starts (a character offset into the transcript)."""

    category: str
    phrase: str
    position: int


def transcript_hits(text: str) -> list[PhraseHit]:
    """Every occurrence of every forbidden phrase in ``text`` (case-insensitive), by
    position."""
    folded = text.casefold()
    hits: list[PhraseHit] = []
    for category, (_reason, phrases) in forbidden_phrases().items():
        for phrase in phrases:
            needle = phrase.casefold()
            if not needle:
                continue
            start = folded.find(needle)
            while start != -1:
                hits.append(PhraseHit(category, phrase, start))
                start = folded.find(needle, start + len(needle))
    return sorted(hits, key=lambda hit: (hit.position, hit.category, hit.phrase))
