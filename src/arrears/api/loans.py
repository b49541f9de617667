"""``/api/v1/loans``: reading a loan and its state on a business date.

Every role may read loans within its scope (``workbench.selectors.loans``, which follows the
case scope): a manager, legal officer or auditor their creditors' portfolios, a collector,
field agent or team lead the loans of the cases they see, an administrator all. A loan
outside the scope answers 404, exactly as one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.api.errors import error_responses
from arrears.api.inputs import Code100, Day, Text200
from arrears.core.errors import Forbidden
from arrears.portfolio.loan_report import loan_report
from arrears.portfolio.selectors import loan_get, loan_state
from arrears.workbench.selectors.loans import loans_visible_to

router = Router(tags=["loans"])


class LoanQuery(Schema):
    as_of: Day | None = None
    creditor: Text200 | None = None


@router.get(
    "/{loan_id}",
    # 400 also for a loan id several creditors share, without ``creditor`` to choose.
    response={200: dict[str, Any], **error_responses(401, 403, 404, 422)},
    summary="A loan's terms, parties and state on a business date",
)
def loan_detail(request: HttpRequest, loan_id: Code100, query: Query[LoanQuery]) -> dict[str, Any]:
    """Terms, parties (masked), schedule and state by replay on ``as_of`` (default today).

    Amounts are yuan strings with two decimals; ``creditor`` is needed only when the loan id
    exists for several creditors.
    """
    user = request.user
    assert isinstance(user, User)
    if not (user.is_superuser or role_can(user.role, "loan_view")):
        raise Forbidden(refusal(user.role, "loan_view"))
    loans = loans_visible_to(user)
    if query.creditor:
        # By name within the scope: a creditor the caller may not see is "not found" as well.
        loans = loans.filter(creditor__name=query.creditor.strip())
    loan = loan_get(loan_id=loan_id, loans=loans)
    as_of = query.as_of or timezone.localdate()
    return loan_report(loan, loan_state(loan, as_of=as_of))
