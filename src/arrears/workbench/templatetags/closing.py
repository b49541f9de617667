"""The case page's closing part (``{% closing_case case request.user %}``), so the case
view itself need not change."""

from __future__ import annotations

from typing import Any

from django import template

from arrears.cases.blacklist_services import blacklist_of_loan
from arrears.workbench.selectors.case_page import presence_on
from arrears.workbench.selectors.closing import closing_panel

register = template.Library()


@register.inclusion_tag("workbench/closing/_panel.html", takes_context=True)
def closing_case(context: Any, case: Any, user: Any) -> dict[str, Any]:
    """Close reason, blacklist entries, write-off state and the closing buttons of ``case``."""
    # The case page knows which of the case's parts have rows (``case_presence``).
    panel = closing_panel(case, user, presence_on(context.get("page"), case))
    panel["csrf_token"] = context.get("csrf_token")
    panel["request"] = context.get("request")
    return panel


@register.inclusion_tag("workbench/closing/_loan_blacklist.html")
def closing_loan_blacklist(loan_pk: int) -> dict[str, Any]:
    """The blacklist banner of a loan page (``{% closing_loan_blacklist loan.pk %}``)."""
    return {"blacklist": list(blacklist_of_loan(loan_pk))}
