"""Signing in and out: the login page and the landing page each role starts on. Repeated
failed sign-ins are throttled by django-axes (``arrears.accounts.throttle``), for this page
and the admin's login alike."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.accounts.throttle import failures_allowed, lock_minutes

# Ten wrong passwords in fifteen minutes for one username from one address: enough for a
# person who mistypes, too few for guessing (settings AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME).
FAILURES_ALLOWED = failures_allowed()
FAILURE_WINDOW_SECONDS = lock_minutes() * 60

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
    (``landing_url``) unless a ``next`` page inside the site was asked for. The tenth wrong
    password for one username from one address, and every attempt after it for the rest of
    the window (even with the right password), gets this page back with HTTP 429 and the
    lock message (``arrears.accounts.throttle.lockout_response``)."""

    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        assert isinstance(user, User)
        return landing_url(user)


class SignOutView(auth_views.LogoutView):
    """``POST /logout/`` ends the session and returns to the login page (GET is refused:
    a link or an image must not be able to sign someone out)."""

    next_page = "accounts:login"
