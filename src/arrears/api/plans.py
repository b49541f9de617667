"""``POST /api/v1/cases/{case_id}/plans``: request a repayment plan for a case, as the
case page's quote calculator does (``cases.plan_services.plan_request``): active at once
within the requester's authority, else waiting for approval.

Scoped and checked like the other case endpoints (a case outside the caller's scope is
404, a role without ``plan_request`` 403); bounded like them (``arrears.api.inputs``), the
first installment at most ``MAX_PLAN_START_DAYS`` ahead as on the page; idempotent with an
``Idempotency-Key``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import AfterValidator, Field, StringConstraints

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.api.cases import IDEMPOTENT_POST
from arrears.api.errors import error_responses
from arrears.api.idempotency import Outcome, idempotent
from arrears.api.inputs import Day, Id, YuanText, storable, yuan_in
from arrears.cases.plan_services import plan_request
from arrears.core.errors import Forbidden, InvalidInput
from arrears.core.money import format_yuan
from arrears.workbench.selectors.case_page import case_get_for

router = Router(tags=["cases"])

# The page's bound too (``workbench.forms``); the service itself has none yet.
MAX_PLAN_START_DAYS = 366


class PlanIn(Schema):
    total: YuanText
    down_payment: YuanText = ""
    installments: Annotated[int, Field(ge=1, le=60)]
    start_on: Day
    tolerance_days: Annotated[int, Field(ge=0, le=30)] = 3
    reason: Annotated[str, StringConstraints(max_length=2000), AfterValidator(storable)]


@router.post(
    "/{case_id}/plans",
    response={201: dict[str, Any], **error_responses(401, 403, 404, 422)},
    summary="Request a repayment plan",
    openapi_extra=IDEMPOTENT_POST,
)
def plan_add(request: HttpRequest, case_id: Id, body: PlanIn) -> Any:
    """201 with the plan's id, status (``active`` within the caller's authority, else
    ``pending``) and installments (yuan strings)."""
    user = request.user
    assert isinstance(user, User)
    if not role_can(user.role, "plan_request"):
        raise Forbidden(refusal(user.role, "plan_request"))
    case = case_get_for(user=user, case_id=case_id)

    def make() -> Outcome:
        today = timezone.localdate()
        total = yuan_in(body.total, field="total", allow_zero=False)
        if total is None:
            raise InvalidInput(_("the amount to cover is required"), field="total")
        if body.start_on > today + timedelta(days=MAX_PLAN_START_DAYS):
            raise InvalidInput(
                _("the first installment is at most %(days)d days ahead")
                % {"days": MAX_PLAN_START_DAYS},
                field="start_on",
            )
        plan = plan_request(
            case=case,
            by=user,
            total=total,
            down_payment=yuan_in(body.down_payment, field="down_payment") or 0,
            installments=body.installments,
            start_on=body.start_on,
            on=today,
            reason=body.reason,
            tolerance_days=body.tolerance_days,
        )
        return 201, {
            "plan_id": plan.pk,
            "status": plan.status,
            "total": format_yuan(plan.total),
            "down_payment": format_yuan(plan.down_payment),
            "installments": [
                {"number": line.number, "due_on": line.due_on, "amount": format_yuan(line.amount)}
                for line in plan.lines.order_by("number")
            ],
        }

    return idempotent(request, payload=body.model_dump(mode="json"), run=make)
