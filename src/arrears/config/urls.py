"""Top-level URL map: admin, REST API, and the web pages; the error pages' views."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from arrears.api.errors import not_found_view
from arrears.api.routes import api
from arrears.outreach.self_service import PORTAL_PREFIX

urlpatterns = [
    # The audit log moved from accounts to core; old bookmarks still find it.
    path(
        "admin/accounts/auditentry/",
        RedirectView.as_view(url="/admin/core/auditentry/", permanent=True, query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Any other path under /api/ answers JSON too, never the HTML 404 page.
    re_path(r"^api/", not_found_view, name="api-not-found"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The borrower portal (its own session, never the staff sign-in); links made by
    # arrears.outreach.self_service under the same prefix.
    path(f"{PORTAL_PREFIX}/", include("arrears.portal.urls")),
    path("", include("arrears.accounts.urls")),
    path("", include("arrears.workbench.urls")),
]

# The error pages: the workbench's look, the person's language, the reason for a refusal;
# JSON under /api/ (arrears.workbench.views.errors).
handler400 = "arrears.workbench.views.errors.bad_request"
handler403 = "arrears.workbench.views.errors.permission_denied"
handler404 = "arrears.workbench.views.errors.page_not_found"
handler500 = "arrears.workbench.views.errors.server_error"
