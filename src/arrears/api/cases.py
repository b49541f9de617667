"""``/api/v1/cases``: a person's cases (scoped as on the workbench), one case in full, and
recording a contact or a promise through the same services (and the same compliance gate).

Amounts are yuan strings with two decimals; personal data is masked. A case outside the
caller's scope answers 404, a role without the capability 403. Every field is bounded
(``arrears.api.inputs``); the creating POSTs accept an ``Idempotency-Key``
(``arrears.api.idempotency``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.api.errors import ErrorOut, error_responses
from arrears.api.idempotency import KEY_HEADER, Outcome, idempotent
from arrears.api.inputs import (
    Code10,
    Code20,
    Code30,
    Code100,
    Day,
    Id,
    Moment,
    Notes,
    Text200,
    YuanText,
    yuan_in,
)
from arrears.cases.services import activity_record, promise_create
from arrears.compliance.reasons import reason_codes, reason_messages, refusals_shown
from arrears.core.errors import Forbidden, InvalidInput
from arrears.core.money import format_yuan
from arrears.portfolio.models import ContactPoint, Party
from arrears.workbench.selectors.case_page import case_get_for, case_page
from arrears.workbench.selectors.queue import queue_for

router = Router(tags=["cases"])

# The optional header of the creating POSTs (``arrears.api.idempotency``), for the schema:
# a key that is not 1–255 visible ASCII characters answers 400, one sent again with
# another request 422.
IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "in": "header",
    "name": KEY_HEADER,
    "required": False,
    "description": "Send the request again with the same key to be sure nothing is created "
    "twice: the first answer is replayed (with Idempotent-Replayed: true) for 24 hours by default.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}
IDEMPOTENT_POST: dict[str, Any] = {"parameters": [IDEMPOTENCY_KEY_PARAMETER]}


class GateRefusalOut(ErrorOut):
    """The compliance gate refused the contact (409): the refusal is stored, nothing else.
    ``reasons`` in the request's language, ``reason_codes`` and ``refusals`` (code,
    message, params) for programs, and when the party may next be contacted."""

    reasons: list[str]
    next_allowed_at: datetime | None = None
    reason_codes: list[str]
    refusals: list[dict[str, Any]]


def _user(request: HttpRequest, capability: str) -> User:
    user = request.user
    assert isinstance(user, User)
    if not role_can(user.role, capability):
        raise Forbidden(refusal(user.role, capability))
    return user


def _party(case_creditor_id: int, party_id: int) -> Party:
    party = Party.objects.filter(pk=party_id, creditor_id=case_creditor_id).first()
    if party is None:
        raise InvalidInput("no such party on this case", field="party_id")
    return party


class CaseListQuery(Schema):
    search: Text200 = ""
    bucket: Code10 | None = None
    product: Code100 | None = None
    has_promise: bool | None = None
    tier: Annotated[int, Field(ge=1, le=3)] | None = None
    page: Annotated[int, Field(ge=1, le=1_000_000)] = 1


@router.get(
    "/",
    response={200: dict[str, Any], **error_responses(401, 403, 422)},
    summary="The caller's cases in queue order (scoped, paginated by 50)",
)
def case_list(request: HttpRequest, query: Query[CaseListQuery]) -> dict[str, Any]:
    """The open cases the caller may see, in the workbench queue's order: promises due and
    broken first, then tasks and follow-ups due, then by score. Search by borrower name,
    loan id, or a whole phone or ID number."""
    user = _user(request, "case_view")
    filters = {
        key: value
        for key, value in {
            "bucket": query.bucket,
            "product": query.product,
            "has_promise": "1" if query.has_promise else None,
            "tier": query.tier,
            "page": query.page,
        }.items()
        if value is not None
    }
    rows = queue_for(user=user, on=timezone.localdate(), search=query.search, filters=filters)
    return {
        "count": rows.total,
        "page": rows.page,
        "pages": rows.pages,
        "results": [
            {
                "case_id": row.case_id,
                "loan_id": row.loan_id,
                "borrower": row.borrower,
                "product": row.product,
                "bucket": row.bucket,
                "dpd": row.dpd,
                "overdue": format_yuan(row.overdue),
                "risk_grade": row.risk_grade,
                "tier": row.tier,
                "score": round(row.score, 2),
                "promise_due_on": row.promise_due_on,
                "assignee": row.assignee,
            }
            for row in rows
        ],
    }


def _amounts(amounts: Any) -> dict[str, str]:
    names = ("principal", "interest", "fees", "penalty", "total")
    return {name: format_yuan(getattr(amounts, name)) for name in names}


@router.get(
    "/{case_id}",
    response={200: dict[str, Any], **error_responses(401, 403, 404, 422)},
    summary="One case: parties (masked), amounts, strategy, timeline",
)
def case_detail(request: HttpRequest, case_id: Id) -> dict[str, Any]:
    """Everything the case page shows, as data."""
    user = _user(request, "case_view")
    page = case_page(user=user, case_id=case_id, on=timezone.localdate(), now=timezone.now())
    case = page.case
    return {
        "case_id": case.pk,
        "loan_id": case.loan.loan_id,
        "status": case.status,
        "opened_on": case.opened_on,
        "dpd": page.dpd,
        "bucket": page.bucket,
        "classification": page.classification,
        "limitation_expires_on": page.limitation_expires_on,
        "playbook": page.playbook,
        "stage": page.stage,
        "arm": page.arm,
        "paused": page.paused,
        "delinquency_reason": case.delinquency_reason,
        "risk_grade": case.risk_grade,
        "overdue": _amounts(page.overdue),
        "outstanding": _amounts(page.outstanding),
        "parties": [
            {
                "party_id": party.id,
                "role": party.role,
                "name": party.name,
                "id_number": party.id_masked,
                "contact_points": [
                    {
                        "id": point.id,
                        "kind": point.kind,
                        "value": point.masked,
                        "status": point.status,
                    }
                    for point in party.contact_points
                ],
                "calls_used": party.compliance.calls_used,
                "calls_cap": party.compliance.calls_cap,
                "allowed_now": party.compliance.allowed_now,
                "next_allowed_at": party.compliance.next_allowed_at,
            }
            for party in page.parties
        ],
        "holds": [
            {"kind": hold.kind, "reason": hold.reason, "since": hold.created_at}
            for hold in page.holds
        ],
        "promises": [
            {
                "amount": format_yuan(promise.amount),
                "due_on": promise.due_on,
                "status": promise.status,
            }
            for promise in page.promises
        ],
        "timeline": [
            {"at": entry.at, "kind": entry.kind, "title": entry.title, "by": entry.by}
            for entry in page.timeline
        ],
    }


class ContactIn(Schema):
    party_id: Id
    channel: Code10
    party_reached: Code20
    outcome: Code20
    contact_point_id: Id | None = None
    reason: Code30 = ""
    notes: Notes = ""
    at: Moment | None = None
    next_follow_up_at: Moment | None = None
    staff: Annotated[int, Field(ge=1, le=10)] = 1
    promise_amount: YuanText | None = None
    promise_due_on: Day | None = None
    promise_tolerance_days: Annotated[int, Field(ge=0, le=30)] = 2


@router.post(
    "/{case_id}/contacts",
    response={201: dict[str, Any], **error_responses(401, 403, 404, 422), 409: GateRefusalOut},
    summary="Record a contact (the compliance gate judges it first)",
    openapi_extra=IDEMPOTENT_POST,
)
def contact_create(request: HttpRequest, case_id: Id, body: ContactIn) -> Any:
    """201 with the activity's id and SHA-256; 409 with the gate's reasons and the next
    allowed time when the gate refuses (the refusal is stored, nothing else)."""
    user = _user(request, "contact_record")
    case = case_get_for(user=user, case_id=case_id)

    def record() -> Outcome:
        point = None
        if body.contact_point_id is not None:
            point = ContactPoint.objects.filter(pk=body.contact_point_id).first()
            if point is None:
                raise InvalidInput("no such contact point", field="contact_point_id")
        try:
            result = activity_record(
                case=case,
                party=_party(case.creditor_id, body.party_id),
                channel=body.channel,
                party_reached=body.party_reached,
                outcome=body.outcome,
                by=user,
                at=body.at or timezone.now(),
                on=timezone.localdate(),
                contact_point=point,
                reason=body.reason,
                notes=body.notes,
                next_follow_up_at=body.next_follow_up_at,
                promise_amount=yuan_in(
                    body.promise_amount, field="promise_amount", allow_zero=False
                ),
                promise_due_on=body.promise_due_on,
                promise_tolerance_days=body.promise_tolerance_days,
                staff=body.staff,
            )
        except PermissionDenied as exc:
            raise Forbidden(str(exc)) from exc
        if not result.allowed or result.activity is None:
            return 409, {
                "detail": "the compliance gate refused this contact",
                # In the request's language; ``reason_codes`` and ``refusals`` (code,
                # message, params) added with the gate's reason codes.
                "reasons": reason_messages(result.refusals),
                "next_allowed_at": result.next_allowed_at,
                "reason_codes": reason_codes(result.refusals),
                "refusals": refusals_shown(result.refusals),
            }
        return 201, {
            "activity_id": result.activity.pk,
            "sha256": result.activity.sha256,
            "promise_id": result.promise.pk if result.promise else None,
            "hold": result.hold.kind if result.hold else None,
            "work_items_done": result.work_items_done,
        }

    return idempotent(request, payload=body.model_dump(mode="json"), run=record)


class PromiseIn(Schema):
    party_id: Id
    amount: YuanText
    due_on: Day
    tolerance_days: Annotated[int, Field(ge=0, le=30)] = 2


@router.post(
    "/{case_id}/promises",
    response={201: dict[str, Any], **error_responses(401, 403, 404, 422)},
    summary="Take a promise",
    openapi_extra=IDEMPOTENT_POST,
)
def promise_add(request: HttpRequest, case_id: Id, body: PromiseIn) -> Any:
    """A promise to pay ``amount`` (yuan) by ``due_on``; it replaces the case's open one."""
    user = _user(request, "promise_create")
    case = case_get_for(user=user, case_id=case_id)

    def take() -> Outcome:
        amount = yuan_in(body.amount, field="amount", allow_zero=False)
        if amount is None:
            raise InvalidInput("the amount is required", field="amount")
        promise = promise_create(
            case=case,
            party=_party(case.creditor_id, body.party_id),
            amount=amount,
            due_on=body.due_on,
            by=user,
            on=timezone.localdate(),
            tolerance_days=body.tolerance_days,
        )
        return 201, {
            "promise_id": promise.pk,
            "amount": format_yuan(promise.amount),
            "due_on": promise.due_on,
            "status": promise.status,
        }

    return idempotent(request, payload=body.model_dump(mode="json"), run=take)
