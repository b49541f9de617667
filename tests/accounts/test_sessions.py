"""Sessions end: after ARREARS_SESSION_IDLE_MINUTES without a request, and after
ARREARS_SESSION_MAX_HOURS however busy. The clock is moved by editing the times the
session stores, not by waiting."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.workbench.middleware import LAST_SEEN_AT, SIGNED_IN_AT

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-unique-pass"


@pytest.fixture
def signed_in(client: Client) -> Client:
    User.objects.create_user("l1", password=PASSWORD, role=Role.LEGAL_OFFICER)
    assert client.post("/login/", {"username": "l1", "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200
    return client


def _shift(client: Client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = float(session[key]) - seconds
    session.save()


def test_defaults_are_thirty_idle_minutes_and_twelve_hours() -> None:
    assert settings.ARREARS_SESSION_IDLE_SECONDS == 30 * 60
    assert settings.ARREARS_SESSION_MAX_SECONDS == 12 * 3600
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_signing_in_records_when_and_the_session_cookie_lasts_the_idle_limit(
    client: Client,
) -> None:
    User.objects.create_user("l1", password=PASSWORD, role=Role.LEGAL_OFFICER)

    response = client.post("/login/", {"username": "l1", "password": PASSWORD})

    assert SIGNED_IN_AT in client.session and LAST_SEEN_AT in client.session
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60


def test_a_session_idle_longer_than_the_limit_ends(signed_in: Client) -> None:
    _shift(signed_in, LAST_SEEN_AT, settings.ARREARS_SESSION_IDLE_SECONDS + 1)

    response = signed_in.get("/")

    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in signed_in.session


def test_a_session_used_within_the_idle_limit_goes_on(signed_in: Client) -> None:
    _shift(signed_in, LAST_SEEN_AT, settings.ARREARS_SESSION_IDLE_SECONDS - 60)

    assert signed_in.get("/").status_code == 200
    # ...and that request renewed it: another idle period starts now.
    _shift(signed_in, LAST_SEEN_AT, settings.ARREARS_SESSION_IDLE_SECONDS - 60)
    assert signed_in.get("/").status_code == 200


def test_a_busy_session_still_ends_after_the_absolute_lifetime(signed_in: Client) -> None:
    _shift(signed_in, SIGNED_IN_AT, settings.ARREARS_SESSION_MAX_SECONDS - 60)
    assert signed_in.get("/").status_code == 200  # eleven hours and 59 minutes: still on

    _shift(signed_in, SIGNED_IN_AT, 61)
    response = signed_in.get("/")

    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in signed_in.session


def test_an_ended_session_gets_401_from_the_api(signed_in: Client) -> None:
    assert signed_in.get("/api/v1/cases/").status_code != 401
    _shift(signed_in, SIGNED_IN_AT, settings.ARREARS_SESSION_MAX_SECONDS + 1)

    assert signed_in.get("/api/v1/cases/").status_code == 401


def test_the_limits_follow_their_settings(signed_in: Client, settings: Any) -> None:
    settings.ARREARS_SESSION_IDLE_SECONDS = 5 * 60
    _shift(signed_in, LAST_SEEN_AT, 5 * 60 + 1)

    assert signed_in.get("/").status_code == 302
