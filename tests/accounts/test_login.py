"""Signing in at /login/: each role lands on its own page, wrong passwords say so, repeated
failures lock the form for a while, signing out takes a POST, and the language switch works."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.accounts.views import FAILURE_WINDOW_SECONDS, FAILURES_ALLOWED
from arrears.config.settings import LANGUAGE_CODE as PRODUCT_LANGUAGE

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-unique-pass"


def person(role: str, username: str = "") -> User:
    return User.objects.create_user(username or role, password=PASSWORD, role=role)


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: str) -> Any:
    return client.post("/login/", {"username": username, "password": password, **extra})


@pytest.mark.urls("tests.accounts.landing_urls")
@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.COLLECTOR, "/queue/"),
        (Role.FIELD_AGENT, "/queue/"),
        (Role.TEAM_LEAD, "/queue/"),
        (Role.MANAGER, "/team/"),
        (Role.LEGAL_OFFICER, "/"),
        (Role.COMPLIANCE_AUDITOR, "/"),
        (Role.ADMIN, "/"),
    ],
)
def test_each_role_lands_on_its_own_page_after_signing_in(
    client: Client, role: str, landing: str
) -> None:
    person(role)

    response = sign_in(client, role)

    assert response.status_code == 302
    assert response["Location"] == landing


def test_without_the_queue_installed_a_collector_lands_on_the_home_page(client: Client) -> None:
    # The real URL map: while the queue is not yet a page, the home page stands in.
    from django.urls import NoReverseMatch, reverse

    person(Role.COLLECTOR, "c1")
    try:
        expected = reverse("workbench:queue")
    except NoReverseMatch:
        expected = "/"

    assert sign_in(client, "c1")["Location"] == expected


@pytest.mark.urls("tests.accounts.landing_urls")
def test_a_requested_page_wins_over_the_landing_page(client: Client) -> None:
    person(Role.COLLECTOR, "c1")

    assert sign_in(client, "c1", next="/loans/")["Location"] == "/loans/"
    client.logout()
    assert sign_in(client, "c1", next="https://evil.example/")["Location"] == "/queue/"


def test_a_page_that_needs_a_sign_in_sends_the_person_to_the_login_page(client: Client) -> None:
    response = client.get("/cycle/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/cycle/"


def test_the_login_page_is_chinese_by_default_with_a_username_and_password(
    client: Client, settings: Any
) -> None:
    settings.LANGUAGE_CODE = PRODUCT_LANGUAGE  # tests otherwise read English pages
    page = client.get("/login/").content.decode()

    assert PRODUCT_LANGUAGE == "zh-hans"
    assert '<html lang="zh-hans">' in page
    assert 'name="username"' in page and 'type="password"' in page


def test_a_wrong_password_says_so_and_keeps_the_username(client: Client) -> None:
    person(Role.COLLECTOR, "c1")

    response = sign_in(client, "c1", "wrong-password")
    page = response.content.decode()

    assert response.status_code == 200
    assert "The username or password is wrong" in page
    assert 'value="c1"' in page
    assert "_auth_user_id" not in client.session


def test_an_empty_form_names_the_missing_fields(client: Client) -> None:
    response = client.post("/login/", {"username": "", "password": ""})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"username", "password"}


def test_a_disabled_account_cannot_sign_in(client: Client) -> None:
    user = person(Role.COLLECTOR, "gone")
    user.is_active = False
    user.save()

    response = sign_in(client, "gone")

    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_after_ten_failures_even_the_right_password_is_refused_for_that_username(
    client: Client,
) -> None:
    person(Role.COLLECTOR, "c1")
    person(Role.COLLECTOR, "c2")
    for _ in range(FAILURES_ALLOWED - 1):
        assert sign_in(client, "c1", "guess").status_code == 200
    # The tenth wrong password already locks, and says so (since the throttle is django-axes;
    # the hand-written counter said it only on the eleventh attempt).
    tenth = sign_in(client, "c1", "guess")
    assert tenth.status_code == 429 and "Too many failed sign-ins" in tenth.content.decode()

    locked = sign_in(client, "C1")

    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another username from the same address is not affected.
    assert sign_in(client, "c2").status_code == 302


def test_the_lock_holds_for_one_address_not_for_the_persons_other_devices(
    client: Client,
) -> None:
    person(Role.COLLECTOR, "c1")
    for _ in range(FAILURES_ALLOWED):
        client.post("/login/", {"username": "c1", "password": "guess"}, REMOTE_ADDR="10.0.0.66")

    from_attacker = client.post(
        "/login/", {"username": "c1", "password": PASSWORD}, REMOTE_ADDR="10.0.0.66"
    )
    from_office = Client().post(
        "/login/", {"username": "c1", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )

    assert (from_attacker.status_code, from_office.status_code) == (429, 302)


def test_the_lock_ends_when_the_window_passes(client: Client) -> None:
    person(Role.COLLECTOR, "c1")
    for _ in range(FAILURES_ALLOWED):
        sign_in(client, "c1", "guess")

    assert sign_in(client, "c1").status_code == 429
    # The clock moves past the window: the failures are that long ago.
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - timedelta(seconds=FAILURE_WINDOW_SECONDS + 1)
    )

    assert sign_in(client, "c1").status_code == 302


def test_a_successful_sign_in_forgets_earlier_failures(client: Client) -> None:
    person(Role.COLLECTOR, "c1")
    for _ in range(FAILURES_ALLOWED - 1):
        sign_in(client, "c1", "guess")
    assert sign_in(client, "c1").status_code == 302
    client.logout()

    for _ in range(FAILURES_ALLOWED - 1):
        sign_in(client, "c1", "guess")

    assert sign_in(client, "c1").status_code == 302


def test_signing_out_takes_a_post_and_returns_to_the_login_page(client: Client) -> None:
    client.force_login(person(Role.COLLECTOR, "c1"))

    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")

    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_a_signed_in_person_opening_the_login_page_goes_to_their_landing_page(
    client: Client,
) -> None:
    client.force_login(person(Role.LEGAL_OFFICER, "l1"))

    response = client.get("/login/")

    assert response.status_code == 302 and response["Location"] == "/"


def test_the_language_switch_remembers_english(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})

    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get("/login/").content.decode()
