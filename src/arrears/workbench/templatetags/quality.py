"""``{% quality_case case %}``: the case page's part for calls, their recordings and flags."""

from __future__ import annotations

import re
from typing import Any

from django import template

from arrears.accounts.roles import role_can
from arrears.compliance.choices import Channel
from arrears.core.masking import mask_id_number, mask_phone
from arrears.quality.selectors import calls_of, case_calls
from arrears.workbench.selectors.case_page import CasePage

register = template.Library()

# The case page shows the latest calls; older ones are in the activity history.
CALLS_SHOWN = 5


@register.inclusion_tag("workbench/quality/_calls.html", takes_context=True)
def quality_case(context: template.Context, case: Any) -> dict[str, Any]:
    """The case's latest calls with their recordings, transcripts and automatic flags, and
    a link to attach a recording when the person may (``recording_attach``) and the case is
    open. The case comes from the page's scoped read."""
    request = context.get("request")
    role = str(getattr(getattr(request, "user", None), "role", ""))
    page = context.get("page")
    if isinstance(page, CasePage) and page.case.pk == case.pk:
        # The page read the case's contacts for its timeline: its calls are among them.
        calls = calls_of([a for a in page.activities if a.channel == Channel.CALL][:CALLS_SHOWN])
    else:
        calls = case_calls(case_id=case.pk, limit=CALLS_SHOWN)
    return {
        "case": case,
        "calls": calls,
        "can_attach": bool(role) and role_can(role, "recording_attach"),
        "can_review": bool(role) and role_can(role, "quality_review"),
        "request": request,
    }


# What a transcript may say aloud: an ID number (18 characters, the last may be X) or a
# mainland mobile number (11 digits starting with 1), not inside a longer run of digits.
_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


@register.filter
def masked_transcript(text: str) -> str:
    """``{{ transcript|masked_transcript }}``: the transcript with ID numbers and mobile
    numbers said on the call masked (``core.masking``), as everywhere else on the pages."""
    text = _ID_NUMBER.sub(lambda found: mask_id_number(found.group()), str(text))
    return _MOBILE.sub(lambda found: mask_phone(found.group()), text)
