"""The compliance gate's reasons in the reader's words.

The rules (``rules``, pure) refuse with language-neutral codes and parameters
(``rules.Reason``); refusals are stored that way. This module puts them into words in the
active language, when shown: each code's message is a translatable sentence with
``%(name)s`` placeholders, and parameters that are themselves codes (a hold's kind, a
channel, a party's role) are shown by their labels. The message ids are the rules' English
sentences (``rules.REASON_TEXTS``; a test keeps the two equal).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from arrears.compliance import rules
from arrears.compliance.choices import Channel, HoldKind
from arrears.portfolio.choices import PartyRole

MESSAGES: dict[str, Any] = {
    rules.QUIET_HOURS: _("outside %(start)s–%(end)s in the debtor's time (%(local)s %(tz)s)"),
    rules.QUIET_DAY: _("%(day)s is a public holiday (quiet day for this creditor)"),
    rules.CONVERSATIONS_PER_DAY: _("%(count)s conversations today already (at most %(limit)s)"),
    rules.ATTEMPTS_PER_NUMBER: _(
        "%(count)s call attempts to this number today already (at most %(limit)s)"
    ),
    rules.ATTEMPTS_PER_WEEK: _("%(count)s call attempts in the last 7 days (at most %(limit)s)"),
    rules.AFTER_CONVERSATION: _("a conversation on %(day)s: no calls for %(days)s days"),
    rules.HOLD: _("hold: %(kind)s"),
    rules.HOLD_LITIGATION: _("hold: litigation filed, only the legal channel may be used"),
    rules.OPTED_OUT: _("the party opted out of %(channel)s"),
    rules.OPT_OUT_LINE: _("every %(channel)s must tell the reader how to opt out"),
    rules.VISIT_STAFF: _("a visit needs at least %(staff)s staff"),
    rules.NOT_A_PARTY: _("%(role)s is not a party to the loan"),
    rules.PURPOSE_PASS_MESSAGE: _("a contact person may only be asked to pass on a message"),
    rules.CONTACT_PERSON_REFUSED: _("this contact person refused to pass on messages"),
    rules.DEBTOR_REACHABLE: _(
        "the debtor is reachable (a contact person only after %(attempts)s failed attempts"
        " in a row or when every number is invalid)"
    ),
}

# Parameters that hold a code, shown by the code's label.
_LABELS: dict[str, dict[str, Any]] = {
    "kind": dict(HoldKind.choices),
    "channel": dict(Channel.choices),
    "role": {**dict(PartyRole.choices), "this party": _("this party"), "": _("this party")},
}


def reason_message(stored: object) -> str:
    """One reason (a ``rules.Reason``, its stored ``{"code", "params"}`` form, or an English
    sentence stored before the codes) in the active language."""
    reason = rules.reason_of(stored)
    message = MESSAGES.get(reason.code)
    if message is None:
        return str(reason.params.get("text", reason.code))
    params = {
        name: str(_LABELS.get(name, {}).get(value, value)) for name, value in reason.params.items()
    }
    try:
        return str(message) % params
    except (KeyError, TypeError, ValueError):
        return reason.text


def reason_messages(stored: Iterable[object] | None) -> list[str]:
    """Every reason of a refusal in the active language."""
    return [reason_message(item) for item in stored or ()]


def reason_codes(stored: Iterable[object] | None) -> list[str]:
    """Every reason's code (``legacy`` for a stored sentence no code matches)."""
    return [rules.reason_of(item).code for item in stored or ()]


def refusals_shown(stored: Iterable[object] | None) -> list[dict[str, Any]]:
    """Every reason as ``{"code", "message", "params"}`` (the message in the active
    language): the API's and the command line's ``refusals``."""
    shown = []
    for item in stored or ():
        reason = rules.reason_of(item)
        shown.append(
            {"code": reason.code, "message": reason_message(reason), "params": dict(reason.params)}
        )
    return shown
