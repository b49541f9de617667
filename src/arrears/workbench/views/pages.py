"""Home, loan lookup and cycle runs: thin adapters from requests to selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.core.dates import parse_date
from arrears.core.errors import InvalidInput, NotFound
from arrears.cycle.selectors import recent_runs, run_steps
from arrears.portfolio.loan_report import loan_report
from arrears.portfolio.selectors import loan_get, loan_state
from arrears.workbench.selectors.legal_desk import home_deadlines
from arrears.workbench.selectors.loans import loans_visible_to, portfolio_counts_for


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _may_look_up_loans(user: User) -> bool:
    return user.is_superuser or role_can(user.role, "loan_view")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Landing page: people who work cases go straight to their queue; everyone else sees
    what is loaded in their portfolio and the loan look-up, when their role may use it, and
    the legal desk's roles the deadlines running on their matters, soonest first."""
    user = _user(request)
    if not user.is_superuser and role_can(user.role, "queue"):
        return redirect("workbench:queue")
    context: dict[str, object] = {
        "counts": portfolio_counts_for(user),
        "loan_lookup": _may_look_up_loans(user),
        # The legal desk's running deadlines, soonest (and missed) first.
        "deadlines": home_deadlines(user=user, today=timezone.localdate())
        if role_can(user.role, "legal_view")
        else None,
    }
    return render(request, "workbench/home.html", context)


@login_required
def loan_lookup(request: HttpRequest) -> HttpResponse:
    """A loan's schedule and state on a business date, found by its loan id among the loans
    the person may see (``workbench.selectors.loans``). A loan outside that scope answers
    exactly as one that does not exist: 404, "not found"."""
    user = _user(request)
    if not _may_look_up_loans(user):
        raise PermissionDenied(refusal(user.role, "loan_view"))
    loan_id = request.GET.get("loan_id", "").strip()
    as_of_text = request.GET.get("as_of", "").strip()
    creditor = request.GET.get("creditor", "").strip()
    context: dict[str, object] = {"loan_id": loan_id, "as_of": as_of_text, "creditor": creditor}
    status = 200
    if loan_id:
        loans = loans_visible_to(user)
        if creditor:
            loans = loans.filter(creditor__name=creditor)
        try:
            as_of = parse_date(as_of_text) if as_of_text else timezone.localdate()
        except ValueError:
            context["error"] = _("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {
                "value": as_of_text
            }
            status = 400
        else:
            try:
                loan = loan_get(loan_id=loan_id, loans=loans)
            except NotFound:
                context["error"] = _(
                    "Loan %(loan_id)s was not found among the loans you may see."
                ) % {"loan_id": loan_id}
                status = 404
            except InvalidInput:
                context["error"] = _(
                    "Loan id %(loan_id)s exists for several creditors: choose the creditor."
                ) % {"loan_id": loan_id}
                context["creditors"] = sorted(
                    set(loans.filter(loan_id=loan_id).values_list("creditor__name", flat=True))
                )
                status = 400
            else:
                context["report"] = loan_report(loan, loan_state(loan, as_of=as_of))
                context["loan_pk"] = loan.pk
    return render(request, "workbench/loan.html", context, status=status)


@login_required
def cycle_runs(request: HttpRequest) -> HttpResponse:
    """The latest cycle runs with their steps: what ran, how long, what failed."""
    if not request.user.has_perm("cycle.view_cyclerun"):
        raise PermissionDenied(
            _("Seeing the daily cycle's runs needs an administrator's permission.")
        )
    runs = [{"run": run, "steps": run_steps(run)} for run in recent_runs(limit=20)]
    return render(request, "workbench/cycle.html", {"runs": runs})


urlpatterns = [
    path("", home, name="home"),
    path("loans/", loan_lookup, name="loan-lookup"),
    path("cycle/", cycle_runs, name="cycle"),
]
