"""The error pages (``handler400/403/404/500`` in ``arrears.config.urls``, and
``CSRF_FAILURE_VIEW``): in the workbench's look and the person's language, saying what was
refused and why, with a way back home.

- **403**: a ``PermissionDenied`` raised with a message shows that message. A view that gave
  only the generic "your role may not do this" (or nothing) gets the reason named by the
  capability its URL needs (``CAPABILITY_OF_VIEW`` → ``accounts.roles.refusal``): what the
  role may not do and which roles may.
- **404**: the same words whether the thing does not exist or lies outside the person's scope,
  so nothing leaks.
- **500**: a page that cannot fail: no database, no context processors, no base template.
- Under ``/api/`` every answer stays JSON (``{"detail": …}``), as ``arrears.api.errors`` does.
"""

from __future__ import annotations

import logging

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from arrears.accounts.roles import ACTIONS, refusal

logger = logging.getLogger("arrears.workbench")

API_PREFIX = "/api/"

# The capability each web view needs, so a refusal can say what was refused. Views that name
# their own reason (``PermissionDenied(refusal(role, capability))``) do not need this.
CAPABILITY_OF_VIEW: dict[str, str] = {
    "workbench:queue": "queue",
    "workbench:queue-next": "queue",
    "workbench:case": "case_view",
    "workbench:contact-record": "contact_record",
    "workbench:promise-create": "promise_create",
    "workbench:hold-place": "hold_place",
    "workbench:reveal": "reveal_phone",
    "workbench:plan-new": "plan_request",
    "workbench:plan-decide": "plan_decide",
    "workbench:settlement-new": "settlement_request",
    "workbench:settlement-decide": "settlement_decide",
    "workbench:approvals": "plan_decide",
    "workbench:team": "team_view",
    "workbench:case-reassign": "case_reassign",
    "workbench:loan-lookup": "loan_view",
    "workbench:closing-stop-loss": "stop_loss_view",
    "workbench:closing-blacklist": "blacklist_propose",
}

# The words a view says when it names no reason of its own (English and translated).
_GENERIC = "your role may not do this"

# Refusals the services word in English (``cases.plan_services``, ``settlement_services``)
# and the views pass on as they are: marked here so the catalog keeps their translations, and
# looked up when the page is shown.
SERVICE_REFUSALS = (
    gettext_noop("this plan is beyond your authority"),
    gettext_noop("this waiver is beyond your authority"),
)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _capability(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    name = match.view_name if match is not None else ""
    capability = CAPABILITY_OF_VIEW.get(name)
    if capability == "reveal_phone":
        try:
            kind = request.POST.get("kind")
        except Exception:  # an unreadable body: the phone's wording will do
            kind = None
        if kind == "id_number":
            return "reveal_id_number"
    return capability


def refusal_reason(request: HttpRequest, exception: Exception | None) -> str:
    """The sentence a 403 page shows: the exception's own message when it names one,
    otherwise what the role may not do here and who may."""
    message = str(exception or "").strip()
    if message in SERVICE_REFUSALS:
        return _(message)
    if message and message not in (_GENERIC, _(_GENERIC)):
        return message
    user = getattr(request, "user", None)
    capability = _capability(request)
    if capability is not None and user is not None and user.is_authenticated:
        return refusal(str(getattr(user, "role", "")), capability)
    return _("You may not do this.")


def _page(request: HttpRequest, template: str, context: dict[str, object], status: int) -> str:
    """The page in the workbench's look; if even that fails (the database is down and the
    menu cannot be built), the bare page that never needs one."""
    try:
        return loader.render_to_string(template, context, request=request)
    except Exception:
        logger.exception("the %s page could not be rendered; the bare page was sent", status)
        return _bare(status, str(context.get("reason", "")))


def _bare(status: int, reason: str = "") -> str:
    titles = {
        400: _("The request could not be understood"),
        403: _("Not allowed"),
        404: _("Not found"),
        500: _("Something went wrong on our side"),
    }
    context = {"status": status, "title": titles.get(status, ""), "reason": reason}
    try:
        return loader.render_to_string("500.html", context)
    except Exception:  # the last resort: no template engine at all
        return f"<!doctype html><title>{status}</title><h1>{status}</h1><p><a href='/'>/</a></p>"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400: a request the site cannot take (a broken form, a suspicious header)."""
    if _is_api(request):
        return JsonResponse({"detail": _("bad request")}, status=400)
    context = {"status": 400, "path": request.path}
    return HttpResponseBadRequest(_page(request, "400.html", context, 400))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: what was refused and why."""
    reason = refusal_reason(request, exception)
    if _is_api(request):
        return JsonResponse(
            {"detail": reason}, status=403, json_dumps_params={"ensure_ascii": False}
        )
    capability = _capability(request)
    context = {
        "status": 403,
        "reason": reason,
        "action": ACTIONS.get(capability, "") if capability else "",
        "method": request.method,
        "path": request.path,
    }
    return HttpResponseForbidden(_page(request, "403.html", context, 403))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: the same words for "no such thing" and "not yours to see"."""
    if _is_api(request):
        return JsonResponse({"detail": _("not found")}, status=404)
    context = {"status": 404, "path": request.path}
    return HttpResponseNotFound(_page(request, "404.html", context, 404))


def server_error(request: HttpRequest) -> HttpResponse:
    """500: rendered without the request (no database, no context processors)."""
    if _is_api(request):
        return JsonResponse({"detail": _("the server failed; the error is logged")}, status=500)
    return HttpResponseServerError(_bare(500))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 from the CSRF check (``CSRF_FAILURE_VIEW``): usually a form left open too long or
    sent after signing out; Django's ``reason`` is for the log, not the page."""
    message = _(
        "The form could not be accepted: it expired or was not sent from this site's page. "
        "Go back, reload the page and send it again."
    )
    if _is_api(request):
        return JsonResponse(
            {"detail": message}, status=403, json_dumps_params={"ensure_ascii": False}
        )
    context = {"status": 403, "reason": message, "csrf": True, "path": request.path}
    return HttpResponseForbidden(_page(request, "403.html", context, 403))
