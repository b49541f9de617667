"""Re-check the contacts recorded in a period against each creditor's pack.

Each contact is judged as the gate would have judged it at its own time: its situation is
read by the gate's own reader (``selectors.party_situations``) as of that moment, with the
contacts recorded before it and the holds then in force; any refusal is a breach. The
period's contacts and their situations are read in bulk and judged by the pure rules, so
the audit of a period costs a few queries.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from arrears.compliance.models import ContactAttempt
from arrears.compliance.rules import CONTACT_PERSON, PASS_MESSAGE, Proposed, evaluate
from arrears.compliance.selectors import Subject, party_situations


def audit(first: date, last: date) -> list[dict[str, object]]:
    """Every recorded contact from ``first`` to ``last`` (inclusive, in the debtors'
    calendar) the pack would refuse."""
    utc = ZoneInfo("UTC")
    # A day's edges differ by zone: read a day more on each side, then keep each contact
    # whose local day is in the period.
    start = datetime.combine(first - timedelta(days=1), time(), tzinfo=utc)
    end = datetime.combine(last + timedelta(days=2), time(), tzinfo=utc)
    attempts = list(
        ContactAttempt.objects.filter(at__gte=start, at__lt=end)
        .select_related("loan", "party")
        .order_by("at", "pk")
    )
    situations = party_situations(
        [
            Subject(
                creditor_id=attempt.loan.creditor_id,
                loan_id=attempt.loan_id,
                party_id=attempt.party_id,
                at=attempt.at,
                role=attempt.role,
                channel=attempt.channel,
                attempt_id=attempt.pk,
            )
            for attempt in attempts
        ]
    )
    breaches: list[dict[str, object]] = []
    for attempt, found in zip(attempts, situations, strict=True):
        local_day = attempt.at.astimezone(ZoneInfo(found.policy.zone)).date()
        if not first <= local_day <= last:
            continue
        proposed = Proposed(
            at=attempt.at,
            channel=attempt.channel,
            role=attempt.role,
            # The journal has no purpose yet: a contact person's call is taken as a message
            # to pass on, so the audit judges only whether they could be called at all.
            purpose=PASS_MESSAGE if attempt.role == CONTACT_PERSON else "",
            number=attempt.number,
            staff=2,  # visits record their staff with the workbench; not yet on the journal
        )
        decision = evaluate(found.policy.pack, proposed, found.situation)
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
                    "reason_codes": decision.reason_codes,
                }
            )
    return breaches
