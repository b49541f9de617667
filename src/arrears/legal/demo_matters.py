"""The demo's legal desk: the most overdue debts already on the road to court, recorded
through the same services the legal officer uses, so ``/legal/`` and
``arrears legal deadlines`` have something to show on the first day. Only ``arrears demo``
calls this."""

from __future__ import annotations

from datetime import date, timedelta

from arrears.accounts.models import User
from arrears.cases.models import CollectionCase
from arrears.legal.calculations.fees import court_fees
from arrears.legal.models import Matter
from arrears.legal.services import matter_cost_record, matter_event_record, matter_open

DEMO_COURT = "深圳市南山区人民法院"
# DEMO00000001 stays free of holds: the README's examples call and text it.
README_LOAN = "DEMO00000001"


def demo_legal_matters(*, today: date) -> list[Matter]:
    """A payment order served a week ago (its objection period ends in eight days) on the
    most overdue open case, and a lawsuit with its court fee on the next one."""
    officer = User.objects.filter(role="legal_officer").order_by("pk").first()
    cases = list(
        CollectionCase.objects.filter(status="open", loan__disbursed_on__lte=today - timedelta(40))
        .exclude(loan__loan_id=README_LOAN)
        .select_related("loan")
        .order_by("-current_dpd", "loan_id")[:2]
    )
    made: list[Matter] = []
    if cases:
        order = matter_open(
            loan=cases[0].loan,
            kind="payment_order",
            on=today - timedelta(days=20),
            court=DEMO_COURT,
            user=officer,
        )
        for kind, days_ago in (("accepted", 17), ("issued", 10), ("served", 7)):
            matter_event_record(
                matter=order, kind=kind, on=today - timedelta(days=days_ago), user=officer
            )
        made.append(order)
    if len(cases) > 1:
        suit = matter_open(
            loan=cases[1].loan,
            kind="lawsuit",
            on=today - timedelta(days=12),
            court=DEMO_COURT,
            user=officer,
        )
        matter_event_record(
            matter=suit, kind="accepted", on=today - timedelta(days=5), user=officer
        )
        matter_cost_record(
            matter=suit,
            kind="court_fee",
            amount=court_fees(suit.claim_amount).acceptance_fee,
            on=today - timedelta(days=4),
            user=officer,
        )
        made.append(suit)
    return made
