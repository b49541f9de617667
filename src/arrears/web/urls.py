"""Web pages of Arrears (the workbench grows here)."""

from __future__ import annotations

from django.urls import path

from arrears.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("loans/", views.loan_lookup, name="loan-lookup"),
    path("cycle/", views.cycle_runs, name="cycle"),
]
