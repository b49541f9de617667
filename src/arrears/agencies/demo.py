"""The demo's outside agency (委外): ``arrears demo`` calls ``demo_agency_create`` after its
cycles, so the demo opens with cases placed with an agency and a recovery to pay for.

Creates, once (nothing when the agency exists already): the agency 信达委外催收有限公司
(code ``xinda``); its contract with the demo creditor (placement 90 days; commission by
bucket: M1 10%, M2 12%, M3 18%, M4 and beyond 25%), valid from a year before today; the
agency collector ``agency1`` (password: ``accounts.demo_workforce.demo_password``); three of
the open cases in the latest buckets placed with it 20 days before today; and a payment of
a third of the first placed loan's overdue amount 5 days before today, which the agency's
commission statement for that month shows.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from arrears.accounts.choices import Role
from arrears.accounts.demo_workforce import demo_password_set
from arrears.accounts.models import Agency, User
from arrears.agencies.commission import RateLine
from arrears.agencies.models import Placement
from arrears.agencies.services import contract_create, placement_create
from arrears.cases.choices import CaseStatus
from arrears.cases.models import CollectionCase
from arrears.portfolio.models import Creditor
from arrears.portfolio.services import payment_post

DEMO_AGENCY = "信达委外催收有限公司"
DEMO_AGENCY_CODE = "xinda"
DEMO_AGENCY_USER = "agency1"
PLACED_DAYS_AGO = 20
PAID_DAYS_AGO = 5


@transaction.atomic
def demo_agency_create(*, creditor: Creditor, today: date) -> list[Placement]:
    """Create the demo agency, its contract, ``agency1``, three placements and a payment
    during the first; returns the placements (none when the agency existed already)."""
    if Agency.objects.filter(code=DEMO_AGENCY_CODE).exists():
        return []
    agency = Agency.objects.create(
        name=DEMO_AGENCY,
        code=DEMO_AGENCY_CODE,
        licence_number="91310000MA1DEMO01X",
        contact_name="陈经理",
        contact_phone="021-5555 0100",
    )
    contract_create(
        agency=agency,
        creditor=creditor,
        reference="XD-DEMO-001",
        valid_from=today - timedelta(days=365),
        valid_to=None,
        placement_days=90,
        basis="bucket",
        rates=[
            RateLine(rate_bp=1000, bucket="M1"),
            RateLine(rate_bp=1200, bucket="M2"),
            RateLine(rate_bp=1800, bucket="M3"),
            RateLine(rate_bp=2500, bucket="M4"),
        ],
    )
    user = User.objects.create_user(
        DEMO_AGENCY_USER, role=Role.AGENCY_COLLECTOR, agency=agency, first_name="陈委外"
    )
    demo_password_set(user)
    user.save(update_fields=["password"])
    placed_on = today - timedelta(days=PLACED_DAYS_AGO)
    cases = list(
        CollectionCase.objects.filter(
            creditor=creditor, status=CaseStatus.OPEN, agency__isnull=True, opened_on__lte=placed_on
        ).order_by("-current_dpd", "id")[:3]
    )
    placements = [
        placement_create(case=case, agency=agency, on=placed_on, by=None) for case in cases
    ]
    if placements:
        first = placements[0]
        amount = max(first.overdue_at_placement // 3, 100)
        payment_post(
            loan=first.case.loan,
            payment_id="DEMO-AGENCY-1",
            amount=amount,
            paid_on=today - timedelta(days=PAID_DAYS_AGO),
            channel="bank",
            source="demo",
        )
    return placements
