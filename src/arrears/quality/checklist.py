"""The quality checklist of a reviewed call (质检评分表) and its weighted score. Pure module.

Each item is answered pass, fail or not applicable. The score is the weight of the items
passed over the weight of the items that apply, times 100, rounded half up once, here; a
review where nothing applies scores 100 (nothing was done wrong). A failed item is a breach.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "na"
ANSWERS = (PASS, FAIL, NOT_APPLICABLE)


@dataclass(frozen=True)
class Item:
    """One line of the checklist: its code, its English label (translated where shown) and
    its weight in the score."""

    code: str
    label: str
    weight: int


# The weights add up to 100; a threat, abuse or a disclosure weighs most, since the
# regulator's guidelines forbid them outright.
ITEMS: tuple[Item, ...] = (
    Item("identity_verified", "Identity verified", 15),
    Item("no_threat", "No threat or abuse", 20),
    Item("no_disclosure", "No disclosure to third parties", 20),
    Item("promise_recorded", "Promise recorded correctly", 10),
    Item("amount_correct", "Correct debt amount stated", 15),
    Item("allowed_hours", "Within allowed hours", 10),
    Item("polite", "Polite and professional", 10),
)
ITEM_CODES: tuple[str, ...] = tuple(item.code for item in ITEMS)
_WEIGHTS = {item.code: item.weight for item in ITEMS}


class ChecklistError(ValueError):
    """An answer sheet that cannot be scored; ``field`` names the item."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def checklist_validate(answers: Mapping[str, str]) -> dict[str, str]:
    """The answers in checklist order, or ``ChecklistError`` naming the first item that is
    missing, unknown or not one of pass / fail / na."""
    unknown = sorted(set(answers) - set(ITEM_CODES))
    if unknown:
        raise ChecklistError(f"unknown checklist item {unknown[0]!r}", field=unknown[0])
    clean: dict[str, str] = {}
    for code in ITEM_CODES:
        answer = answers.get(code)
        if answer not in ANSWERS:
            raise ChecklistError(f"{code} must be pass, fail or na", field=code)
        clean[code] = answer
    return clean


def checklist_score(answers: Mapping[str, str]) -> int:
    """The weighted score 0–100 of validated ``answers``."""
    applicable = sum(_WEIGHTS[code] for code, answer in answers.items() if answer != NOT_APPLICABLE)
    if applicable == 0:
        return 100
    passed = sum(_WEIGHTS[code] for code, answer in answers.items() if answer == PASS)
    # Half up on integers: (2 × 100 × passed + applicable) // (2 × applicable).
    return (200 * passed + applicable) // (2 * applicable)


def checklist_breaches(answers: Mapping[str, str]) -> list[str]:
    """The items failed, in checklist order."""
    return [code for code in ITEM_CODES if answers.get(code) == FAIL]
