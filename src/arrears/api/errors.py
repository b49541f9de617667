"""How failures become HTTP answers on ``/api/v1/``: always JSON, always with ``detail``.

Domain errors (``ArrearsError``) answer 4xx with ``detail`` and, when known, ``field``;
schema violations 422 with ``detail``, ``field`` (the first offending field) and
``errors`` (every one, as ninja lists them); a body too large 413. Anything else is a bug:
it is logged without the exception's message or any request data (a message may quote a
phone or an ID number) and answered with a JSON 500, never Django's HTML page.

The OpenAPI schema documents these answers: every endpoint passes
``response={..., **error_responses(401, 403, 404, 422)}`` naming the errors it really
answers (``ErrorOut``, or ``ValidationErrorOut`` for 422); the URL guard's 400 and 413 are
added to every endpoint, since every URL under ``/api/v1/`` passes the body limits.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import ConfigDict

from arrears.api.body import max_body_bytes
from arrears.core.errors import ArrearsError, Forbidden, InvalidInput, NotFound

logger = logging.getLogger("arrears.api")


class ErrorOut(Schema):
    """An error: ``detail`` says what went wrong, for a person (in the request's language);
    ``field`` names the input it is about, when one is (a body field, a query or path
    parameter, ``body`` for the body as a whole, or a header such as ``Idempotency-Key``).
    An answer may carry more keys than these (a refusal's reasons, say)."""

    # Documented as open: an endpoint may add keys to its errors without breaking clients.
    model_config = ConfigDict(extra="allow")

    detail: str
    field: str | None = None


class ValidationErrorOut(ErrorOut):
    """A request its endpoint's schema refuses (a wrong type, a value out of bounds, a
    required field missing): ``field`` is the first offending one and ``errors`` lists them
    all as pydantic reports them (``type``, ``loc``, ``msg``). An ``Idempotency-Key`` sent
    again with another request is refused with 422 too, without ``errors``."""

    errors: list[dict[str, Any]] | None = None


# Answered by the URL guard (``routes.guarded``) on every endpoint, whatever its method:
# 400 for a body nested deeper than the limit, 413 for one larger than the limit.
GUARD_STATUSES = (400, 413)
_ERROR_SCHEMAS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ValidationErrorOut,
}


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The ``response=`` entries documenting an endpoint's error answers: ``statuses``
    (among 400, 401, 403, 404, 409, 422) and the guard's 400 and 413, each with its schema.

    ``@router.get("/{id}", response={200: ThingOut, **error_responses(401, 403, 404, 422)})``.
    Name only what the endpoint really answers: 401 where it needs a token, 403 where a
    role or a secret may be refused, 404 where something asked for may not exist, 422 where
    it has typed parameters or a typed body. An endpoint whose 409 has a richer body
    documents its own schema in place of ``ErrorOut``."""
    unknown = set(statuses) - set(_ERROR_SCHEMAS)
    if unknown:
        raise ValueError(f"no error schema for {sorted(unknown)}")
    return {status: _ERROR_SCHEMAS[status] for status in sorted({*statuses, *GUARD_STATUSES})}


# The first element of a ninja error's location names where the value came from; the body
# schema's parameter is itself called ``body`` in every endpoint.
_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


def field_of(loc: Sequence[Any]) -> str:
    """The field a ninja/pydantic error location points at: ``["body", "body", "amount"]``
    → ``amount``, ``["query", "page"]`` → ``page``, ``["body", "body"]`` → ``body``."""
    parts = [str(part) for part in loc]
    source = parts[0] if parts else "body"
    rest = parts[1:]
    while rest and rest[0] in _SOURCES:
        rest = rest[1:]
    return ".".join(rest) or source


def _error_body(exc: ArrearsError) -> tuple[int, dict[str, object]]:
    # An InvalidInput subclass may carry its own status: a body too large 413, an
    # Idempotency-Key used for another request 422.
    status = int(getattr(exc, "status", 400))
    if isinstance(exc, NotFound):
        status = 404
    elif isinstance(exc, Forbidden):
        status = 403
    body: dict[str, object] = {"detail": str(exc)}
    if isinstance(exc, InvalidInput) and exc.field:
        body["field"] = exc.field
    return status, body


def error_response(exc: ArrearsError) -> JsonResponse:
    """The JSON answer for a domain error, outside ninja (the URL guard)."""
    status, body = _error_body(exc)
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return str(match.route) if match is not None else "?"


def install_error_handlers(api: NinjaAPI) -> None:
    """Register the handlers above on ``api``."""

    @api.exception_handler(ArrearsError)
    def arrears_error(request: HttpRequest, exc: ArrearsError) -> HttpResponse:
        status, body = _error_body(exc)
        return api.create_response(request, body, status=status)

    @api.exception_handler(PermissionDenied)
    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(
            request, {"detail": str(exc) or _("your role may not do this")}, status=403
        )

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = exc.errors
        first = errors[0] if errors else {"loc": ["body"], "msg": _("invalid input")}
        field = field_of(first.get("loc") or ["body"])
        return api.create_response(
            request,
            {"detail": f"{field}: {first.get('msg', '')}", "field": field, "errors": errors},
            status=422,
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # Ninja wraps whatever the parser raised in "Cannot parse request body" (400); the
        # parser's own refusal (413, the field) is the better answer.
        if isinstance(exc.__cause__, ArrearsError):
            return arrears_error(request, exc.__cause__)
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        detail = _("the body is larger than %(bytes)d bytes") % {"bytes": max_body_bytes()}
        return api.create_response(request, {"detail": detail, "field": "body"}, status=413)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        # The type and the frames only: the message and the request may hold personal data.
        logger.error(
            "API error %s on %s %s\n%s",
            type(exc).__name__,
            request.method,
            _route(request),
            "".join(traceback.format_tb(exc.__traceback__)),
        )
        return api.create_response(
            request, {"detail": _("the server failed; the error is logged")}, status=500
        )


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The JSON 404 for a path under ``/api/v1/`` that no endpoint serves."""
    return JsonResponse({"detail": _("no such endpoint")}, status=404)
