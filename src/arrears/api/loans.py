"""``/api/v1/loans``: reading a loan and its state on a business date."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from arrears.api.inputs import Code100, Day, Text200
from arrears.core.errors import Forbidden
from arrears.portfolio.loan_report import loan_report
from arrears.portfolio.models import Creditor
from arrears.portfolio.selectors import creditor_choose, loan_get, loan_state

router = Router(tags=["loans"])


class LoanQuery(Schema):
    as_of: Day | None = None
    creditor: Text200 | None = None


@router.get("/{loan_id}", summary="A loan's terms, parties and state on a business date")
def loan_detail(request: HttpRequest, loan_id: Code100, query: Query[LoanQuery]) -> dict[str, Any]:
    """Terms, parties (masked), schedule and state by replay on ``as_of`` (default today).

    Amounts are yuan strings with two decimals; ``creditor`` is needed only when the loan id
    exists for several creditors.
    """
    if not request.user.has_perm("portfolio.view_loan"):
        raise Forbidden("you may not view loans")
    creditor: Creditor | None = creditor_choose(query.creditor) if query.creditor else None
    loan = loan_get(loan_id=loan_id, creditor=creditor)
    as_of = query.as_of or timezone.localdate()
    return loan_report(loan, loan_state(loan, as_of=as_of))
