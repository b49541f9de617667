"""The REST API under ``/api/v1/`` (OpenAPI at ``/api/v1/openapi.json``, docs at ``/docs``).

Every answer under ``/api/v1/`` is JSON: each endpoint's URL passes the body limits
(``arrears.api.body``) before its view runs, a method the path does not serve answers a
JSON 405, and a path no endpoint serves a JSON 404 (or a 308 to the same path with the
trailing slash the endpoint has).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, URLPattern, URLResolver, re_path, resolve
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger

from arrears.api.auth import API_AUTH
from arrears.api.body import BoundedParser, body_problem
from arrears.api.cases import router as cases_router
from arrears.api.errors import error_response, install_error_handlers, not_found_view
from arrears.api.loans import router as loans_router
from arrears.api.outreach import router as outreach_router
from arrears.api.payment_notices import router as payment_notices_router
from arrears.api.payments import router as payments_router
from arrears.api.plans import router as plans_router

View = Callable[..., HttpResponseBase]


def guarded(view: View) -> View:
    """``view`` behind the body limits, with a JSON 405 instead of ninja's plain text."""

    @functools.wraps(view)
    def guarded_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        problem = body_problem(request)
        if problem is not None:
            return error_response(problem)
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            answer = JsonResponse({"detail": _("method not allowed")}, status=405)
            answer["Allow"] = allowed
            return answer
        return response

    return guarded_view


def unmatched(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """A path under ``/api/v1/`` no endpoint serves: 308 to the path with a trailing slash
    when that one exists (any method keeps its body through a 308), else a JSON 404."""
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not unmatched:
            target = request.path + "/"
            if request.META.get("QUERY_STRING"):
                target += "?" + request.META["QUERY_STRING"]
            answer = JsonResponse({"detail": _("use %(path)s") % {"path": target}}, status=308)
            answer["Location"] = target
            return answer
    return not_found_view(request)


class LocalSwagger(Swagger):
    """Swagger UI from django-ninja's own copy of its files (templates and static found by
    path in the settings), never from the CDN ninja falls back to when it is not an
    installed app (the CSP forbids the CDN, and a site may have no internet)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            # As ninja decides it: a form for the CSRF token when a session auth needs one.
            "add_csrf": isinstance(api.auth, list | tuple)
            and any(getattr(auth, "csrf", False) for auth in api.auth),
        }
        return render(request, self.template, context)


class ArrearsAPI(NinjaAPI):
    """``NinjaAPI`` whose URLs are guarded and end in a JSON catch-all."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = guarded(pattern.callback)
        patterns.append(re_path(r"^.*$", unmatched))
        return patterns


api = ArrearsAPI(
    title="Arrears API",
    version="1",
    description="Loan-collection management: portfolio, cases, actions. Amounts in yuan strings.",
    auth=API_AUTH,
    urls_namespace="api-v1",
    parser=BoundedParser(),
    docs=LocalSwagger(),
)
install_error_handlers(api)
api.add_router("/activities", "arrears.api.recordings.router")
api.add_router("/cases", cases_router)
api.add_router("/cases", plans_router)
api.add_router("/loans", loans_router)
api.add_router("/outreach", outreach_router)
api.add_router("/payments", payments_router)
api.add_router("/payments/notify", payment_notices_router)
