"""The playbook definition format: what a collection strategy says to do, and when.

A playbook is a YAML file (or the equal Python dict) naming the cases it applies to (its
segment), the DPD windows it splits arrears into (its stages) and, per stage, the action
rules that fire on given days: messages that go to the outbox and tasks that become work
items. This package parses and validates that format (``parsing``, on top of ``fields``),
writes it back in one canonical form (``writing``), and holds the timing rule that decides
whether a rule is due on a given day (``timing``); ``vocabulary`` and ``model`` hold the
words and the parsed shapes all of them share.

Pure package: no Django import, so the format can be checked anywhere (CLI, tests, CI).
Import from here; the modules are the package's own layout.
"""

from arrears.strategy.definition.model import (
    ActionRule,
    DefinitionError,
    PlaybookDefinition,
    Segment,
    Stage,
)
from arrears.strategy.definition.parsing import load_yaml, parse
from arrears.strategy.definition.timing import is_due, rule_sentence, stage_for
from arrears.strategy.definition.vocabulary import (
    ACTION_TYPES,
    CHANNEL_OF,
    CLASSIFICATIONS,
    CONDITIONS,
    DEFAULT_ACTION_PRIORITY,
    DEFAULT_TIME,
    GUARANTEE_TYPES,
    MESSAGE_TYPES,
    SLUG_MAX_LENGTH,
    TARGET_ROLES,
    TASK_TYPES,
)
from arrears.strategy.definition.writing import dump_yaml, to_data

__all__ = [
    "ACTION_TYPES",
    "CHANNEL_OF",
    "CLASSIFICATIONS",
    "CONDITIONS",
    "DEFAULT_ACTION_PRIORITY",
    "DEFAULT_TIME",
    "GUARANTEE_TYPES",
    "MESSAGE_TYPES",
    "SLUG_MAX_LENGTH",
    "TARGET_ROLES",
    "TASK_TYPES",
    "ActionRule",
    "DefinitionError",
    "PlaybookDefinition",
    "Segment",
    "Stage",
    "dump_yaml",
    "is_due",
    "load_yaml",
    "parse",
    "rule_sentence",
    "stage_for",
    "to_data",
]
