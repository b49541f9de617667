"""When a rule fires: the stage a case is in, whether a rule is due on a given day, and the
sentence users read for a rule's timing.

Pure module: no Django import.
"""

from __future__ import annotations

from collections.abc import Collection

from arrears.strategy.definition.model import ActionRule, PlaybookDefinition, Stage

# How a rule's condition reads in its sentence.
CONDITION_WORDS = {
    "guarantee_ending": "保证期间30天内届满且未主张时",
    "unreachable": "借款人电话与地址均无效时",
}


def stage_for(defn: PlaybookDefinition, dpd: int) -> Stage | None:
    """The stage whose DPD window holds ``dpd``, or None when no stage covers it."""
    for stage in defn.stages:
        if stage.contains(dpd):
            return stage
    return None


def is_due(rule: ActionRule, *, dpd: int, stage_day: int, facts: Collection[str] = ()) -> bool:
    """Whether ``rule`` fires for a case at ``dpd`` that is on day ``stage_day`` of its stage.

    Day 1 of a stage is the day the case entered it. A rule with a ``when`` fires only
    while the target party has that fact (``facts``; none known: it does not fire). The
    set-based planner in SQL implements the same rule and the two must agree, so keep
    this formula as it is.
    """
    if rule.when and rule.when not in facts:
        return False
    x = dpd if rule.at_dpd else stage_day
    k = rule.start
    until = rule.until
    if x < k:
        return False
    repeats = x == k if rule.every is None else (x - k) % rule.every == 0
    return repeats and (until is None or x <= until)


def rule_sentence(playbook_title: str, version: int, stage: Stage, rule: ActionRule) -> str:
    """The line users see for a rule, e.g. ``担保贷款 v3 › 第4天 › 反担保人电话``."""
    when = f"第{rule.at_dpd}天" if rule.at_dpd is not None else f"{stage.title} 第{rule.on_day}天"
    if rule.every is not None:
        when += "起每天" if rule.every == 1 else f"起每{rule.every}天"
    if rule.when:
        when += f"（{CONDITION_WORDS.get(rule.when, rule.when)}）"
    return f"{playbook_title} v{version} › {when} › {rule.title}"
