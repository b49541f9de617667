"""What each role may do: the one table the views, the API and the tests read.

No queries here. Scoping (which cases a role sees) lives in ``arrears.cases.scoping``; this
answers "may this role do that at all". Amount limits for plans and waivers are data
(``cases.AuthorityLimit``), not code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from arrears.accounts.choices import Role

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

COLLECTOR, FIELD_AGENT, TEAM_LEAD = Role.COLLECTOR, Role.FIELD_AGENT, Role.TEAM_LEAD
MANAGER, LEGAL, AUDITOR, ADMIN = (
    Role.MANAGER,
    Role.LEGAL_OFFICER,
    Role.COMPLIANCE_AUDITOR,
    Role.ADMIN,
)
AGENCY = Role.AGENCY_COLLECTOR
# People who work cases. An agency collector works the cases placed with its agency
# (``cases.scoping``) and passes the same compliance gate as the lender's own staff.
WORKERS = frozenset({COLLECTOR, FIELD_AGENT, TEAM_LEAD, AGENCY})

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
    # Looking up a loan (the loan page, ``GET /api/v1/loans/{id}``), within the person's scope:
    # a manager, legal officer or auditor their creditors' portfolios, a collector, field agent
    # or team lead the loans of the cases they see (``cases.scoping``), an administrator all.
    "loan_view": frozenset(Role.values),
    # The legal desk: matters, deadlines, claims, documents and bundles of the creditors in
    # the person's scope. Court papers carry names and ID numbers in full, so drafting them
    # (``legal_manage``) is for roles that may reveal ID numbers, and every one is audited.
    "legal_view": frozenset({LEGAL, MANAGER, AUDITOR, ADMIN}),
    "legal_manage": frozenset({LEGAL, MANAGER}),
    # Matching a provider's payment notice that found no open loan to a loan by hand: it
    # puts money on a loan, so it is a manager's act (and an administrator's), audited.
    "payments_match": frozenset({MANAGER, ADMIN}),
    # The insights pages (aging, roll rates, vintages, recovery, leagues, experiments): a
    # manager for their creditors, a team lead for their team's, an administrator for all.
    "insights_view": frozenset({TEAM_LEAD, MANAGER, ADMIN}),
    # Promoting an experiment's challenger changes the strategy of every case of the
    # champion playbook: a manager's act (and an administrator's), audited.
    "experiment_promote": frozenset({MANAGER, ADMIN}),
    # Recording a guarantee company's pay-out (代偿) settles the lender's loan and creates a
    # recourse claim: it moves money and creditors, so a manager's act (and an
    # administrator's), audited.
    "guarantee_payout": frozenset({MANAGER, ADMIN}),
    # Recording a field visit (外访): always two staff, with the address, times and evidence.
    "visit_record": frozenset({FIELD_AGENT, TEAM_LEAD, AGENCY}),
    # Skip tracing (查找): adding a contact point someone found and verifying or invalidating
    # one, its source and reason recorded.
    "skip_trace": WORKERS | {MANAGER},
    # Placing a case with an outside agency (委外) or recalling it.
    "agency_place": frozenset({TEAM_LEAD, MANAGER}),
    # Agencies, their contracts and the monthly commission statements.
    "agency_manage": frozenset({MANAGER, ADMIN}),
    # Writing a debt off (核销): proposing it, and deciding it within the authority matrix.
    "writeoff_propose": frozenset({TEAM_LEAD, MANAGER, LEGAL}),
    "writeoff_decide": frozenset({TEAM_LEAD, MANAGER}),
    # The blacklist (黑名单): proposing a party, approving or delisting one (audited), and
    # exporting it for the credit and guarantee side.
    "blacklist_propose": frozenset({TEAM_LEAD, MANAGER, LEGAL}),
    "blacklist_decide": frozenset({MANAGER}),
    "blacklist_export": frozenset({MANAGER, AUDITOR, ADMIN}),
    # The weekly stop-loss list: cases whose expected recovery is below the cost to collect.
    "stop_loss_view": frozenset({TEAM_LEAD, MANAGER}),
    # Closing a case for a reason the cycle cannot see: the borrower died (after a deceased
    # hold, a manager), or the legal proceedings ended (终结本次执行, legal or a manager).
    "case_close_deceased": frozenset({MANAGER}),
    "case_close_legal": frozenset({LEGAL, MANAGER}),
    # Attaching a call recording or transcript to a contact, and reviewing calls (质检).
    "recording_attach": WORKERS,
    "quality_review": frozenset({TEAM_LEAD, MANAGER, AUDITOR}),
}

# What each capability lets a person do, as the error page names what was refused: a verb
# phrase that reads after "may not" ("Your role may not record a contact").
ACTIONS: dict[str, StrPromise] = {
    "queue": _("work the case queue"),
    "case_view": _("open case pages"),
    "contact_record": _("record a contact"),
    "contact_record_late": _("record a contact late"),
    "promise_create": _("take a promise to pay"),
    "plan_request": _("request a repayment plan"),
    "plan_decide": _("approve or reject repayment plans"),
    "settlement_request": _("request a waiver"),
    "settlement_decide": _("approve or reject waivers"),
    "hold_place": _("place a hold"),
    "case_reassign": _("reassign cases"),
    "team_view": _("open the team view"),
    "reveal_phone": _("reveal a full phone number"),
    "reveal_id_number": _("reveal a full ID number"),
    "audit_view": _("read the audit log"),
    "loan_view": _("look up loans"),
    "legal_view": _("open the legal desk"),
    "legal_manage": _("open legal matters and draft court papers"),
    "payments_match": _("match unmatched payments to loans"),
    "insights_view": _("open the insights pages"),
    "experiment_promote": _("promote an experiment's challenger"),
    "guarantee_payout": _("record a guarantor's pay-out"),
    "visit_record": _("record a field visit"),
    "skip_trace": _("add or verify contact points"),
    "agency_place": _("place cases with agencies or recall them"),
    "agency_manage": _("manage agencies and their commission statements"),
    "writeoff_propose": _("propose a write-off"),
    "writeoff_decide": _("approve or reject write-offs"),
    "blacklist_propose": _("propose a party for the blacklist"),
    "blacklist_decide": _("approve or remove blacklist entries"),
    "blacklist_export": _("export the blacklist"),
    "stop_loss_view": _("open the stop-loss recommendations"),
    "case_close_deceased": _("close a case because the borrower died"),
    "case_close_legal": _("close a case because the legal proceedings ended"),
    "recording_attach": _("attach call recordings"),
    "quality_review": _("review calls for quality"),
}


def role_can(role: str, capability: str) -> bool:
    """May someone in ``role`` do ``capability``? Unknown capabilities are refused."""
    return role in CAPABILITIES.get(capability, frozenset())


def role_label(role: str) -> str:
    """The role's name in the active language (``催收员``), or the code when unknown."""
    try:
        label = str(Role(role).label)
    except ValueError:
        return role or gettext("no role")
    # The English labels carry the Chinese title in brackets ("Collector (催收员)").
    return label.split(" (", 1)[0]


def roles_with(capability: str) -> list[str]:
    """The names of the roles that have ``capability``, in the order of ``Role``."""
    allowed = CAPABILITIES.get(capability, frozenset())
    return [role_label(role) for role in Role if role in allowed]


def refusal(role: str, capability: str) -> str:
    """Why ``role`` is refused ``capability``, for a person: what, whose role, who may.

    ``Your role (Collector) may not approve or reject repayment plans; it is for: Team lead,
    Manager.`` Pass it to ``PermissionDenied`` so the error page says it."""
    action = ACTIONS.get(capability)
    if action is None:
        return gettext("Your role (%(role)s) may not do this.") % {"role": role_label(role)}
    allowed = roles_with(capability)
    if not allowed:
        return gettext("Your role (%(role)s) may not %(action)s.") % {
            "role": role_label(role),
            "action": action,
        }
    return gettext("Your role (%(role)s) may not %(action)s; it is for: %(roles)s.") % {
        "role": role_label(role),
        "action": action,
        "roles": gettext(", ").join(allowed),
    }
