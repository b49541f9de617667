"""Signing in and out: the login page, the landing page each role starts on, and a throttle
on repeated failed sign-ins."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from arrears.accounts.choices import Role
from arrears.accounts.models import User

# Ten wrong passwords in fifteen minutes for one username from one address: enough for a
# person who mistypes, too few for guessing.
FAILURES_ALLOWED = 10
FAILURE_WINDOW_SECONDS = 15 * 60

# Where each role starts the day: people who work cases on their queue, managers on their
# team view, everyone else on the home page.
LANDING_URL_NAMES: dict[str, str] = {
    Role.COLLECTOR: "workbench:queue",
    Role.FIELD_AGENT: "workbench:queue",
    Role.TEAM_LEAD: "workbench:queue",
    Role.MANAGER: "workbench:team",
}


def landing_url(user: User) -> str:
    """The page ``user`` lands on after signing in: the queue for collectors, field agents and
    team leads, the team view for managers, the home page for everyone else (and while the
    role's page is not installed)."""
    name = LANDING_URL_NAMES.get(user.role)
    if name is not None:
        try:
            return reverse(name)
        except NoReverseMatch:
            pass
    return reverse("workbench:home")


def _failure_key(request: HttpRequest, username: str) -> str:
    # REMOTE_ADDR, not X-Forwarded-For: a header the client writes would let it pick a fresh
    # counter for every guess.
    address = request.META.get("REMOTE_ADDR", "")
    return f"login-failures:{username.strip().casefold()}:{address}"


def login_failures(request: HttpRequest, username: str) -> int:
    """How many failed sign-ins for ``username`` from this address in the current window."""
    return int(cache.get(_failure_key(request, username), 0))


def login_failure_count(request: HttpRequest, username: str) -> None:
    """Count one failed sign-in; the window starts with the first failure and is not renewed,
    so a locked-out person can try again fifteen minutes after their first mistake."""
    key = _failure_key(request, username)
    if not cache.add(key, 1, FAILURE_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, FAILURE_WINDOW_SECONDS)


class SignInForm(AuthenticationForm):
    """Django's sign-in form with this project's wording."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages = {
            **self.error_messages,
            "invalid_login": _(
                "The username or password is wrong. Both are case-sensitive; check Caps Lock."
            ),
            "inactive": _("This account is disabled. Ask an administrator."),
        }


class SignInView(auth_views.LoginView):
    """The login page at ``/login/``. After signing in each role lands on its own page
    (``landing_url``) unless a ``next`` page inside the site was asked for; after
    ``FAILURES_ALLOWED`` wrong passwords for one username from one address the form refuses
    (HTTP 429) for the rest of the window, even with the right password."""

    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        if login_failures(request, username) >= FAILURES_ALLOWED:
            # Bound without the password, so validating it never reaches authenticate(): a
            # locked-out guess is not even checked.
            form = self.form_class(request, data={"username": username, "password": ""})
            form.errors.clear()
            form.add_error(
                None,
                _("Too many failed sign-ins. Wait %(minutes)d minutes and try again.")
                % {"minutes": FAILURE_WINDOW_SECONDS // 60},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        login_failure_count(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        cache.delete(_failure_key(self.request, self.request.POST.get("username", "")))
        return super().form_valid(form)

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        assert isinstance(user, User)
        return landing_url(user)


class SignOutView(auth_views.LogoutView):
    """``POST /logout/`` ends the session and returns to the login page (GET is refused:
    a link or an image must not be able to sign someone out)."""

    next_page = "accounts:login"
