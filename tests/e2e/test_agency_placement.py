"""Agency placement in a real browser, as issue 20's "Done when" describes it: a team lead
places a case with an agency from the case page; the agency's collector signs in and finds
only that case in their queue (another case's URL is not found); a payment is posted through
the API during the placement; the manager's commission statement for the month shows the
commission, rounded half up to the fen.

Page contracts relied on (``data-testid``): ``agency-place-form`` with its ``agency`` select
and ``agency-place`` button on the case page, ``placed-agency`` once placed; ``statement``,
``statement-recovered`` and ``statement-commission`` on ``/agencies/statement/``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from arrears.accounts.models import Agency, User
from arrears.agencies.commission import RateLine
from arrears.agencies.services import contract_create
from tests.e2e.conftest import sign_in
from tests.e2e.world import PASSWORD, World

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
AGENCY = "信达委外催收有限公司"


@dataclass(frozen=True)
class Placing:
    placed_case: int
    other_case: int
    token: str


@pytest.fixture
def placing(world: World) -> Placing:
    """An agency with a 10% M1 contract for the world's creditor, its collector ``agency1``
    and the manager's payments token (made before the browser starts: no ORM after)."""
    agency = Agency.objects.create(name=AGENCY, code="xinda")
    contract_create(
        agency=agency,
        creditor=world.creditor,
        reference="XD-E2E",
        valid_from=world.today.replace(day=1),
        valid_to=None,
        placement_days=60,
        basis="bucket",
        rates=[RateLine(rate_bp=1000, bucket="M1"), RateLine(rate_bp=1500, bucket="M3")],
    )
    User.objects.create_user("agency1", password=PASSWORD, role="agency_collector", agency=agency)
    out = StringIO()
    call_command("token", "create", "manager", "--scope", "payments:write", stdout=out)
    return Placing(
        placed_case=world.cases["E2E-A1"].pk,
        other_case=world.cases["E2E-A2"].pk,
        token=out.getvalue().strip(),
    )


def test_a_lead_places_a_case_the_agency_works_it_and_earns_its_commission(
    placing: Placing, page: Page, world: World
) -> None:
    # The team lead places the case from its page.
    sign_in(page, "lead")
    page.goto(f"/cases/{placing.placed_case}/")
    form = page.get_by_test_id("agency-place-form")
    form.locator("[name=agency]").select_option(label=AGENCY)
    form.get_by_test_id("agency-place").click()
    expect(page.get_by_test_id("placed-agency")).to_have_text(AGENCY)

    # The agency's collector sees that case and nothing else.
    page.context.clear_cookies()
    sign_in(page, "agency1")
    page.goto("/queue/")
    expect(page.get_by_text("E2E-A1")).to_be_visible()
    expect(page.get_by_text("E2E-A2")).to_have_count(0)
    expect(page.get_by_text("E2E-B1")).to_have_count(0)
    other = page.goto(f"/cases/{placing.other_case}/")
    assert other is not None and other.status == 404
    placed = page.goto(f"/cases/{placing.placed_case}/")
    assert placed is not None and placed.status == 200

    # The lender's system posts a payment during the placement.
    posted = page.request.post(
        "/api/v1/payments",
        headers={"Authorization": f"Bearer {placing.token}", "Idempotency-Key": str(uuid.uuid4())},
        data={
            "payment_id": "E2E-PAY-1",
            "loan_id": "E2E-A1",
            "amount": "500.05",
            "paid_on": world.today.isoformat(),
            "channel": "bank",
        },
    )
    assert posted.status == 201, posted.text()

    # The manager's statement for the month: 10% of 500.05 = 50.005 → 50.01 (half up).
    page.context.clear_cookies()
    sign_in(page, "manager")
    page.goto(f"/agencies/statement/?agency=xinda&month={world.today:%Y-%m}")
    expect(page.get_by_test_id("statement")).to_contain_text("E2E-A1")
    expect(page.get_by_test_id("statement-recovered")).to_have_text("500.05")
    expect(page.get_by_test_id("statement-commission")).to_have_text("50.01")
