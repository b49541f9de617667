"""Re-check the contacts recorded in a period against each creditor's pack.

Each contact is judged as if proposed at its own time, with the history before it and the
holds then in force; any refusal is a breach. Contacts are read in bulk per period and
judged by the pure rules, so the audit of a period costs a few queries.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from arrears.compliance.holidays import public_holidays
from arrears.compliance.models import CompliancePolicy, ContactAttempt, Hold
from arrears.compliance.rules import PACKS, PastContact, Proposed, Situation, evaluate
from arrears.compliance.selectors import HISTORY_DAYS, pack_of
from arrears.portfolio.models import ContactPoint, LoanParty


def audit(first: date, last: date) -> list[dict[str, object]]:
    """Every recorded contact from ``first`` to ``last`` (inclusive) the pack would refuse."""
    utc = ZoneInfo("UTC")
    # A day's edges differ by zone: read a day more on each side, then judge each contact.
    start = datetime.combine(first - timedelta(days=1), time(), tzinfo=utc)
    end = datetime.combine(last + timedelta(days=2), time(), tzinfo=utc)
    attempts = list(
        ContactAttempt.objects.filter(at__gte=start - timedelta(days=HISTORY_DAYS), at__lt=end)
        .select_related("loan", "party")
        .order_by("at", "pk")
    )
    policies = {p.creditor_id: p for p in CompliancePolicy.objects.all()}
    by_party: dict[int, list[ContactAttempt]] = defaultdict(list)
    for attempt in attempts:
        by_party[attempt.party_id].append(attempt)
    debtors: dict[int, set[int]] = defaultdict(set)
    for loan_id, party_id in LoanParty.objects.filter(
        loan_id__in={a.loan_id for a in attempts}, role__in=("borrower", "co_borrower")
    ).values_list("loan_id", "party_id"):
        debtors[loan_id].add(party_id)
    holds = list(Hold.objects.filter(created_at__lt=end))
    phones: dict[int, list[str]] = defaultdict(list)
    for party_id, status in ContactPoint.objects.filter(
        party_id__in=set().union(set(), *debtors.values()), kind="phone"
    ).values_list("party_id", "status"):
        phones[party_id].append(status)
    invalid_only = {p for p, statuses in phones.items() if all(s == "invalid" for s in statuses)}
    breaches: list[dict[str, object]] = []
    holidays = public_holidays(first - timedelta(days=1), last + timedelta(days=1))
    for attempt in attempts:
        policy = policies.get(attempt.loan.creditor_id)
        pack = pack_of(policy) if policy else PACKS["cn"]
        zone = policy.time_zone if policy else "Asia/Shanghai"
        local_day = attempt.at.astimezone(ZoneInfo(zone)).date()
        if not first <= local_day <= last:
            continue
        before = [a for a in by_party[attempt.party_id] if (a.at, a.pk) < (attempt.at, attempt.pk)]
        debtor_calls = sorted(
            (
                a
                for party_id in debtors[attempt.loan_id]
                for a in by_party[party_id]
                if a.channel == "call" and a.at < attempt.at
            ),
            key=lambda a: a.at,
        )[-3:]
        in_force = [
            (h.kind, h.channel)
            for h in holds
            if (h.party_id == attempt.party_id or h.loan_id == attempt.loan_id)
            and h.created_at <= attempt.at
            and (h.lifted_at is None or h.lifted_at > attempt.at)
        ]
        situation = Situation(
            time_zone=zone,
            history=[PastContact(a.at, a.channel, a.outcome, a.number, a.by) for a in before],
            debtor_history=[
                PastContact(a.at, a.channel, a.outcome, a.number, a.by) for a in debtor_calls
            ],
            debtor_numbers_all_invalid=bool(debtors[attempt.loan_id])
            and debtors[attempt.loan_id] <= invalid_only,
            holds=in_force,
            quiet_days=holidays if policy and policy.quiet_public_holidays else frozenset(),
        )
        proposed = Proposed(
            at=attempt.at,
            channel=attempt.channel,
            role=attempt.role,
            # The journal has no purpose yet: a contact person's call is taken as a message
            # to pass on, so the audit judges only whether they could be called at all.
            purpose="pass_message" if attempt.role == "contact_person" else "",
            number=attempt.number,
            staff=2,  # visits record their staff with the workbench; not yet on the journal
        )
        decision = evaluate(pack, proposed, situation)
        if not decision.allowed:
            breaches.append(
                {
                    "at": attempt.at.isoformat(),
                    "loan_id": attempt.loan.loan_id,
                    "party": attempt.party.name,
                    "role": attempt.role,
                    "channel": attempt.channel,
                    "by": attempt.by,
                    "reasons": decision.reasons,
                }
            )
    return breaches
