"""``{% agency_case_panel case %}``: the case page's agency placement part — where the case
is placed and until when, what came back so far, and the place or recall buttons for those
who may (``agency_place``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from arrears.accounts.roles import role_can
from arrears.workbench.agencies_forms import PlaceForm
from arrears.workbench.selectors.agencies import case_placement

register = template.Library()


@register.inclusion_tag("workbench/agencies/_panel.html", takes_context=True)
def agency_case_panel(context: template.Context, case: Any) -> dict[str, Any]:
    """The panel's context: the case, its active placement (or None) and the rights."""
    request = context.get("request")
    role = str(getattr(getattr(request, "user", None), "role", "") or "")
    may_place = role_can(role, "agency_place")
    return {
        "case": case,
        "placed": case_placement(case) if case.agency_id else None,
        "may_place": may_place,
        "form": (
            PlaceForm(creditor_id=case.creditor_id, on=timezone.localdate())
            if may_place and not case.agency_id
            else None
        ),
        "csrf_token": context.get("csrf_token"),
    }
