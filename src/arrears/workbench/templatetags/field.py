"""The case page's field-work panel (``{% field_case_panel %}``): its visits with their
evidence hashes, the unreachable flag and the links to record a visit and to skip tracing,
for the roles that may use them."""

from __future__ import annotations

from typing import Any

from django import template

from arrears.accounts.roles import role_can
from arrears.workbench.selectors.case_page import presence_on
from arrears.workbench.selectors.field import visits_of_case

register = template.Library()


@register.inclusion_tag("workbench/field/_panel.html", takes_context=True)
def field_case_panel(context: Any) -> dict[str, Any]:
    """The panel's context from the case page's: the case (in scope already) and the user."""
    request = context.get("request")
    case = context.get("case")
    user = getattr(request, "user", None)
    role = str(getattr(user, "role", "") or "")
    if case is None or user is None or not role:
        return {"show": False}
    can_visit, can_trace = role_can(role, "visit_record"), role_can(role, "skip_trace")
    # The case page knows whether the case has any visit (``case_presence``).
    known = presence_on(context.get("page"), case)
    visits = visits_of_case(case=case, user=user) if "visits" in known else []
    return {
        "show": bool(can_visit or can_trace or visits or case.unreachable_since),
        "case": case,
        "can_visit": can_visit,
        "can_trace": can_trace,
        "visits": visits,
        "request": request,
    }
