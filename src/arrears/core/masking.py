"""Masking of personal data for display (phones, ID numbers, emails).

Pure module: who may see the full value is decided by the caller; this only hides.
"""

from __future__ import annotations


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 digits of a phone: 13812345678 → 138****5678."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_id_number(value: str) -> str:
    """Keep the first 4 and last 4 characters of an ID: 1101**********1234."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_email(value: str) -> str:
    """Keep the first character of the mailbox and the domain: z***@example.com."""
    local, _, domain = value.partition("@")
    if not domain:
        return mask_phone(value)
    return (local[:1] + "***@" + domain) if local else "***@" + domain
