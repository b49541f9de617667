"""The compliance gate's reasons as language-neutral codes with parameters (stored on
refusals), their English sentences, and the reading of a stored reason back into a code.
Pure: no Django (the translated messages are in ``compliance.reasons``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

QUIET_HOURS = "quiet_hours"
QUIET_DAY = "quiet_day"
CONVERSATIONS_PER_DAY = "conversations_per_day"
ATTEMPTS_PER_NUMBER = "attempts_per_number"
ATTEMPTS_PER_WEEK = "attempts_per_week"
AFTER_CONVERSATION = "after_conversation"
HOLD = "hold"
HOLD_LITIGATION = "hold_litigation"
OPTED_OUT = "opted_out"
OPT_OUT_LINE = "opt_out_line"
VISIT_STAFF = "visit_staff"
NOT_A_PARTY = "not_a_party"
PURPOSE_PASS_MESSAGE = "purpose_pass_message"
CONTACT_PERSON_REFUSED = "contact_person_refused"
DEBTOR_REACHABLE = "debtor_reachable"

REASON_TEXTS: dict[str, str] = {
    QUIET_HOURS: "outside %(start)s–%(end)s in the debtor's time (%(local)s %(tz)s)",
    QUIET_DAY: "%(day)s is a public holiday (quiet day for this creditor)",
    CONVERSATIONS_PER_DAY: "%(count)s conversations today already (at most %(limit)s)",
    ATTEMPTS_PER_NUMBER: (
        "%(count)s call attempts to this number today already (at most %(limit)s)"
    ),
    ATTEMPTS_PER_WEEK: "%(count)s call attempts in the last 7 days (at most %(limit)s)",
    AFTER_CONVERSATION: "a conversation on %(day)s: no calls for %(days)s days",
    HOLD: "hold: %(kind)s",
    HOLD_LITIGATION: "hold: litigation filed, only the legal channel may be used",
    OPTED_OUT: "the party opted out of %(channel)s",
    OPT_OUT_LINE: "every %(channel)s must tell the reader how to opt out",
    VISIT_STAFF: "a visit needs at least %(staff)s staff",
    NOT_A_PARTY: "%(role)s is not a party to the loan",
    PURPOSE_PASS_MESSAGE: "a contact person may only be asked to pass on a message",
    CONTACT_PERSON_REFUSED: "this contact person refused to pass on messages",
    DEBTOR_REACHABLE: (
        "the debtor is reachable (a contact person only after %(attempts)s failed attempts"
        " in a row or when every number is invalid)"
    ),
}


@dataclass(frozen=True)
class Reason:
    """One reason the gate refuses: a code (``REASON_TEXTS``' keys) and its parameters."""

    code: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The reason in English (the words outside Django)."""
        template = REASON_TEXTS.get(self.code)
        if template is None:
            return str(self.params.get("text", self.code))
        try:
            return template % dict(self.params)
        except (KeyError, TypeError, ValueError):
            return template

    def as_dict(self) -> dict[str, object]:
        """The stored form: ``{"code": ..., "params": {...}}``."""
        return {"code": self.code, "params": dict(self.params)}


LEGACY = "legacy"  # a stored reason no code matches: its text kept as ``params["text"]``


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$", re.DOTALL)


# Fixed sentences before patterns ("hold: %(kind)s" would swallow the litigation hold's).
_PATTERNS = [
    (code, _pattern(text))
    for code, text in sorted(REASON_TEXTS.items(), key=lambda item: item[1].count("%("))
]


def reason_of(stored: object) -> Reason:
    """A reason from its stored form: ``{"code", "params"}``, a ``Reason``, or an English
    sentence stored before the codes (matched back to its code, else kept as it is)."""
    if isinstance(stored, Reason):
        return stored
    if isinstance(stored, Mapping) and isinstance(stored.get("code"), str):
        params = stored.get("params") or {}
        return Reason(
            stored["code"],
            {str(k): str(v) for k, v in params.items()} if isinstance(params, Mapping) else {},
        )
    text = str(stored)
    for code, pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            return Reason(code, match.groupdict())
    return Reason(LEGACY, {"text": text})
