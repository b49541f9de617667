"""Top-level URL map: admin, REST API, and the web pages."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from arrears.api.routes import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("arrears.accounts.urls")),
    path("", include("arrears.cases.urls")),
    path("", include("arrears.web.urls")),
]
