"""How domain errors become HTTP answers: a 4xx with ``detail`` and, when known, ``field``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from arrears.core.errors import ArrearsError, Forbidden, InvalidInput, NotFound


def install_error_handlers(api: NinjaAPI) -> None:
    """Map ``ArrearsError`` subclasses to 404 / 403 / 400 JSON answers."""

    @api.exception_handler(ArrearsError)
    def arrears_error(request: HttpRequest, exc: ArrearsError) -> HttpResponse:
        status = 400
        if isinstance(exc, NotFound):
            status = 404
        elif isinstance(exc, Forbidden):
            status = 403
        body: dict[str, object] = {"detail": str(exc)}
        if isinstance(exc, InvalidInput) and exc.field:
            body["field"] = exc.field
        return api.create_response(request, body, status=status)

    @api.exception_handler(PermissionDenied)
    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(
            request, {"detail": str(exc) or "your role may not do this"}, status=403
        )
