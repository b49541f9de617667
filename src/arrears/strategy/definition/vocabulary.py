"""The words of the playbook format: action types, target roles, segment vocabularies,
defaults, and the keys each section accepts.

Pure module: no Django import.
"""

from __future__ import annotations

MESSAGE_TYPES: tuple[str, ...] = (
    "sms",
    "email",
    "letter",
    "overdue_notice",
    "guarantor_notice",
    "lawyer_letter",
)
TASK_TYPES: tuple[str, ...] = ("call", "visit", "placement", "legal_referral", "review")
ACTION_TYPES: tuple[str, ...] = (
    "sms",
    "email",
    "call",
    "visit",
    "letter",
    "overdue_notice",
    "guarantor_notice",
    "lawyer_letter",
    "placement",
    "legal_referral",
    "review",
)
# The contact channel an action uses, so contact-frequency rules can count it; None marks
# internal tasks that never reach the debtor.
CHANNEL_OF: dict[str, str | None] = {
    "sms": "sms",
    "email": "email",
    "letter": "letter",
    "overdue_notice": "letter",
    "guarantor_notice": "letter",
    "lawyer_letter": "letter",
    "call": "call",
    "visit": "visit",
    "placement": None,
    "legal_referral": None,
    "review": None,
}
TARGET_ROLES: tuple[str, ...] = ("borrower", "co_borrower", "guarantor", "counter_guarantor")
GUARANTEE_TYPES: tuple[str, ...] = ("credit", "guarantee", "mortgage", "pledge")
CLASSIFICATIONS: tuple[str, ...] = ("normal", "special_mention", "substandard", "doubtful", "loss")
# Facts about a case's party that a rule's ``when`` can require, as the cycle keeps them:
# guarantee_ending — the target's guarantee period (保证期间) ends within 30 days and no
# preserving act is recorded (``portfolio.batch.guarantees``);
# unreachable — every phone and address of the case's borrower was found invalid
# (``CollectionCase.unreachable_since``, kept by ``field.reachability``): a rule can then
# plan a skip-trace review or a visit instead of calls that cannot connect.
CONDITIONS: tuple[str, ...] = ("guarantee_ending", "unreachable")

DEFAULT_TIME = "09:00"
DEFAULT_ACTION_PRIORITY = 50
SLUG_MAX_LENGTH = 60

# The keys each section of the format accepts, in the order a canonical export writes them.
PLAYBOOK_KEYS = ("name", "title", "description", "priority", "segment", "stages")
SEGMENT_LIST_KEYS = ("creditors", "products", "guarantee_types", "branches", "classifications")
SEGMENT_KEYS = (*SEGMENT_LIST_KEYS, "amount_min", "amount_max")
STAGE_KEYS = ("name", "title", "from_dpd", "to_dpd", "actions")
ACTION_KEYS = (
    "name",
    "title",
    "type",
    "target",
    "at_dpd",
    "on_day",
    "every",
    "until_dpd",
    "until_day",
    "when",
    "time",
    "template",
    "queue",
    "priority",
)
# Segment lists whose items must come from a closed vocabulary: (noun for errors, options).
SEGMENT_VOCABULARY: dict[str, tuple[str, tuple[str, ...]]] = {
    "guarantee_types": ("guarantee type", GUARANTEE_TYPES),
    "classifications": ("classification", CLASSIFICATIONS),
}
