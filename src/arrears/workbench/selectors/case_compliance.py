"""Each party's standing at the compliance gate on the case page: for a call now, the calls
counted against the pack's cap, and whether (or from when) the gate allows it.

Compliance answers for its own part: the situations come from its one reader
(``compliance.selectors.party_situations``, a fixed number of queries for every party of
the loan) and the counts and the answer from ``call_standing``; this module only shapes
them for the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from arrears.compliance.reasons import reason_messages
from arrears.compliance.rules import CALL
from arrears.compliance.selectors import Subject, call_standing, party_situations, policy_for
from arrears.portfolio.models import Loan, LoanParty


@dataclass(frozen=True)
class ComplianceToday:
    """Today's standing of one party at the compliance gate, for a call now: the calls
    counted against the pack's cap, and whether (or from when) a call is allowed."""

    calls_used: int
    calls_cap: int | None
    weekly: bool  # the cap counts call attempts over 7 days (Regulation F), not conversations
    allowed_now: bool
    next_allowed_at: datetime | None
    reasons: list[str]  # in English; ``messages`` in the reader's language
    # "08:00" when the next allowed moment is later today in the debtor's time, else
    # "12-03 08:00"; empty when allowed now or when only lifting a hold would allow it.
    next_allowed_label: str = ""
    messages: tuple[str, ...] = ()  # the reasons in the active language


def compliance_today(
    *, loan: Loan, links: Sequence[LoanParty], numbers: Mapping[int, str], now: datetime
) -> tuple[dict[int, ComplianceToday], str]:
    """Each party link's standing for a call at ``now`` to its number in ``numbers`` (by
    party; "" when it has none), keyed by the link's id, and the debtors' time zone."""
    found = party_situations(
        [
            Subject(
                creditor_id=loan.creditor_id,
                loan_id=loan.pk,
                party_id=link.party_id,
                at=now,
                role=link.role,
                channel=CALL,
            )
            for link in links
        ]
    )
    if not found:
        return {}, policy_for(loan)[1]
    zone = found[0].policy.zone
    standings = {}
    for link, situation in zip(links, found, strict=True):
        standing = call_standing(
            situation, role=link.role, number=numbers.get(link.party_id, ""), at=now
        )
        decision = standing.decision
        local = ZoneInfo(zone)
        next_at = decision.next_allowed_at.astimezone(local) if decision.next_allowed_at else None
        label = ""
        if next_at is not None:
            today = now.astimezone(local).date()
            label = next_at.strftime("%H:%M" if next_at.date() == today else "%m-%d %H:%M")
        standings[link.pk] = ComplianceToday(
            calls_used=standing.calls_used,
            calls_cap=standing.calls_cap,
            weekly=standing.weekly,
            allowed_now=decision.allowed,
            next_allowed_at=next_at,
            reasons=list(decision.reasons),
            next_allowed_label=label,
            messages=tuple(reason_messages(decision.refusals)),
        )
    return standings, zone
