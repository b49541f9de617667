"""A URL map for the sign-in tests: the real sign-in pages beside stand-ins for the queue and
the team view, so where each role lands is tested apart from those pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def _stand_in(request: HttpRequest) -> HttpResponse:
    return HttpResponse("stand-in")


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("arrears.accounts.urls")),
    path(
        "",
        include(
            (
                [
                    path("queue/", _stand_in, name="queue"),
                    path("team/", _stand_in, name="team"),
                ],
                "cases",
            )
        ),
    ),
    path("", include("arrears.workbench.urls")),
]
