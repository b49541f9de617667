"""Pages of visits and skip tracing (issue 20)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
