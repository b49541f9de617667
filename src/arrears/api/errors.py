"""How failures become HTTP answers on ``/api/v1/``: always JSON, always with ``detail``.

Domain errors (``ArrearsError``) answer 4xx with ``detail`` and, when known, ``field``;
schema violations 422 with ``detail``, ``field`` (the first offending field) and
``errors`` (every one, as ninja lists them); a body too large 413. Anything else is a bug:
it is logged without the exception's message or any request data (a message may quote a
phone or an ID number) and answered with a JSON 500, never Django's HTML page.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from arrears.api.body import max_body_bytes
from arrears.core.errors import ArrearsError, Forbidden, InvalidInput, NotFound

logger = logging.getLogger("arrears.api")

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
