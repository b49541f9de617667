"""What the case page shows of closing a debt: why and when the case closed (or reopened),
the blacklist entries of the loan's parties, a write-off waiting or posted, and which
closing acts the person may take. A fixed number of queries."""

from __future__ import annotations

from typing import Any

from arrears.accounts.models import User
from arrears.accounts.roles import role_can
from arrears.cases.blacklist_services import blacklist_of_case
from arrears.cases.models import CollectionCase, WriteOffProposal, WriteOffStatus
from arrears.portfolio.models import WriteOff
from arrears.workbench.selectors.case_presence import Presence


def closing_panel(
    case: CollectionCase, user: User, presence: Presence | None = None
) -> dict[str, Any]:
    """The closing part of ``case``'s page for ``user`` (``presence``: the parts the case
    page knows to be empty are not read)."""
    is_open = case.status == "open"
    role = getattr(user, "role", "")
    present = presence or Presence.everything()
    return {
        "case": case,
        "blacklist": list(blacklist_of_case(case)) if "blacklist" in present else [],
        "pending_writeoff": WriteOffProposal.objects.filter(
            case=case, status=WriteOffStatus.PENDING
        )
        .select_related("proposed_by")
        .first()
        if "writeoff_proposals" in present
        else None,
        "write_off": WriteOff.objects.filter(loan_id=case.loan_id).first()
        if "write_off" in present
        else None,
        "may_propose_writeoff": is_open and role_can(role, "writeoff_propose"),
        "may_close_deceased": is_open and role_can(role, "case_close_deceased"),
        "may_close_legal": is_open and role_can(role, "case_close_legal"),
        "may_propose_blacklist": role_can(role, "blacklist_propose"),
    }
