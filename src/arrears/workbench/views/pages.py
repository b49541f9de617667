"""Home, loan lookup and cycle runs: thin adapters from requests to selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from arrears.accounts.roles import role_can
from arrears.core.dates import parse_date
from arrears.core.errors import ArrearsError
from arrears.cycle.selectors import recent_runs, run_steps
from arrears.portfolio.loan_report import loan_report
from arrears.portfolio.selectors import loan_get, loan_state, portfolio_counts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Landing page: people who work cases go straight to their queue; everyone else sees
    what is loaded and where to go next."""
    if not request.user.is_superuser and role_can(getattr(request.user, "role", ""), "queue"):
        return redirect("workbench:queue")
    return render(request, "workbench/home.html", {"counts": portfolio_counts()})


@login_required
@permission_required("portfolio.view_loan", raise_exception=True)
def loan_lookup(request: HttpRequest) -> HttpResponse:
    """A loan's schedule and state on a business date, found by its loan id."""
    loan_id = request.GET.get("loan_id", "").strip()
    as_of_text = request.GET.get("as_of", "").strip()
    context: dict[str, object] = {"loan_id": loan_id, "as_of": as_of_text}
    if loan_id:
        try:
            as_of = parse_date(as_of_text) if as_of_text else timezone.localdate()
            loan = loan_get(loan_id=loan_id)
            context["report"] = loan_report(loan, loan_state(loan, as_of=as_of))
        except (ArrearsError, ValueError) as exc:
            context["error"] = str(exc)
    return render(request, "workbench/loan.html", context)


@login_required
@permission_required("cycle.view_cyclerun", raise_exception=True)
def cycle_runs(request: HttpRequest) -> HttpResponse:
    """The latest cycle runs with their steps: what ran, how long, what failed."""
    runs = [{"run": run, "steps": run_steps(run)} for run in recent_runs(limit=20)]
    return render(request, "workbench/cycle.html", {"runs": runs})


urlpatterns = [
    path("", home, name="home"),
    path("loans/", loan_lookup, name="loan-lookup"),
    path("cycle/", cycle_runs, name="cycle"),
]
