"""A guarantor's pay-out closes the lender's case as compensated (代偿), not as cured, and
the next cycle day neither reopens it nor opens another for the compensated loan."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from arrears.cases.models import CollectionCase
from arrears.cycle.runner import cycle_run
from arrears.guarantee.services import payout_record
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.services.claims import loan_owed_on
from tests.guarantee.conftest import PAID_OUT, lender  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_lenders_case_closes_as_compensated(lender: Creditor) -> None:  # noqa: F811
    loan = Loan.objects.get(loan_id="G1", creditor=lender)
    assert CollectionCase.objects.get(loan=loan).status == "open"

    payout_record(
        loan=loan, amount=loan_owed_on(loan, PAID_OUT), on=PAID_OUT, penalty_rate=Decimal("0.24")
    )
    cycle_run(on=PAID_OUT + timedelta(days=1))

    cases = CollectionCase.objects.filter(loan=loan)
    assert [(c.status, c.close_reason) for c in cases] == [("closed", "compensated")]
