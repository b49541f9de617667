"""URL map of the borrower portal, included under ``/p/`` (``outreach.self_service``
makes its links there)."""

from __future__ import annotations

from django.urls import path

from arrears.portal.views import borrower, sign_in

app_name = "portal"
urlpatterns = [
    path("", borrower.home, name="home"),
    path("verify/", sign_in.verify, name="verify"),
    path("verify/resend/", sign_in.resend, name="resend"),
    path("sign-out/", sign_in.sign_out, name="sign-out"),
    path("promise/", borrower.promise, name="promise"),
    path("plan/", borrower.plan, name="plan"),
    path("dispute/", borrower.dispute, name="dispute"),
    path("pause/", borrower.pause, name="pause"),
    path("quiet/", borrower.quiet, name="quiet"),
    # Last: a token is never one of the words above (it always holds a ":").
    path("<str:token>/", sign_in.link, name="link"),
]
