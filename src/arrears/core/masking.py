"""Masking of personal data for display (phones, ID numbers, emails, addresses).

Pure module: who may see the full value is decided by the caller; this only hides.
"""

from __future__ import annotations

import re

import arrears.core.phones as phones


def mask_phone(value: str) -> str:
    """A phone in its national format with the first 3 and last 4 digits kept:
    +8613812345678 (or 13812345678) → 138****5678, +12025550143 → (202) ***-0143
    (``core.phones.mask``)."""
    return phones.mask(value)


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


# The administrative prefix of a Chinese address down to the county level (省 / 市 / 区县):
# what a collector may know of where a debtor lives without the street and door.
_PROVINCE = r"(?:[^\d\s省市]{2,10}?(?:省|自治区|特别行政区))?"
_CITY = r"(?:[^\d\s省市区县]{2,10}?(?:市|自治州|地区|盟))?"
_COUNTY = r"(?:[^\d\s省市区县]{1,10}?(?:区|县|旗|市))?"
_DISTRICT = re.compile(_PROVINCE + _CITY + _COUNTY)


def mask_address(value: str) -> str:
    """Keep the district-level part of an address, hide the rest:
    北京市朝阳区建国路88号 → 北京市朝阳区****. An address with no recognisable prefix
    (a foreign or free-form one) is hidden whole."""
    text = value.strip()
    if not text:
        return ""
    kept = _DISTRICT.match(text)
    prefix = kept.group(0) if kept else ""
    if len(prefix) >= len(text):
        return prefix
    return prefix + "****"
