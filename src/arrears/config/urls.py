"""Top-level URL map: admin, REST API, and the web pages."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from arrears.api.routes import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("arrears.cases.urls")),
    path("", include("arrears.web.urls")),
]
