"""What each role may do: the one table the views, the API and the tests read.

No queries here. Scoping (which cases a role sees) lives in ``arrears.cases.scoping``; this
answers "may this role do that at all". Amount limits for plans and waivers are data
(``cases.AuthorityLimit``), not code.
"""

from __future__ import annotations

from arrears.accounts.choices import Role

COLLECTOR, FIELD_AGENT, TEAM_LEAD = Role.COLLECTOR, Role.FIELD_AGENT, Role.TEAM_LEAD
MANAGER, LEGAL, AUDITOR, ADMIN = (
    Role.MANAGER,
    Role.LEGAL_OFFICER,
    Role.COMPLIANCE_AUDITOR,
    Role.ADMIN,
)
WORKERS = frozenset({COLLECTOR, FIELD_AGENT, TEAM_LEAD})

CAPABILITIES: dict[str, frozenset[str]] = {
    # The day's queue and "next case": people who work cases.
    "queue": WORKERS,
    # Opening a case page (within the role's scope).
    "case_view": frozenset(Role.values),
    "contact_record": WORKERS,
    # Recording a contact more than half an hour after it happened (补录, at most a day;
    # ``cases.contact_time``). Field agents report visits after the trip; a desk collector
    # enters a shift's calls after a dialer outage. The gate judges a late contact against
    # its own day, and the activity keeps when it was recorded beside when it happened.
    "contact_record_late": WORKERS | {MANAGER, ADMIN},
    "promise_create": WORKERS,
    "plan_request": WORKERS | {MANAGER},
    "plan_decide": frozenset({TEAM_LEAD, MANAGER}),
    "settlement_request": WORKERS | {MANAGER, LEGAL},
    "settlement_decide": frozenset({TEAM_LEAD, MANAGER}),
    # Dispute, complaint, hardship, deceased: anyone who learns of one must be able to stop
    # contact at once.
    "hold_place": frozenset({COLLECTOR, FIELD_AGENT, TEAM_LEAD, MANAGER, LEGAL, AUDITOR}),
    "case_reassign": frozenset({TEAM_LEAD, MANAGER}),
    "team_view": frozenset({TEAM_LEAD, MANAGER}),
    # Seeing a full phone number or ID number; every reveal is audited.
    "reveal_phone": frozenset({COLLECTOR, FIELD_AGENT, TEAM_LEAD, MANAGER, LEGAL, AUDITOR}),
    "reveal_id_number": frozenset({TEAM_LEAD, MANAGER, LEGAL, AUDITOR}),
    "audit_view": frozenset({AUDITOR, ADMIN}),
}


def role_can(role: str, capability: str) -> bool:
    """May someone in ``role`` do ``capability``? Unknown capabilities are refused."""
    return role in CAPABILITIES.get(capability, frozenset())
