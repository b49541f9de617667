"""Signing in and out: ``/login/`` and ``POST /logout/``."""

from __future__ import annotations

from django.urls import path

from arrears.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
]
