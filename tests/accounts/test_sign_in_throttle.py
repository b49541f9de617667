"""One throttle for both sign-in pages: failures at /login/ lock /admin/login/ for that
username and address and the other way round, the lock message is in the person's language,
and a forged X-Forwarded-For buys no fresh count. (Several server processes sharing the
count: tests/test_deploy.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.accounts.views import FAILURES_ALLOWED
from arrears.config.settings import LANGUAGE_CODE as PRODUCT_LANGUAGE

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-unique-pass"


def staff(username: str = "boss") -> User:
    return User.objects.create_superuser(username, password=PASSWORD, role=Role.ADMIN)


def post(client: Client, path: str, username: str, password: str, **extra: Any) -> Any:
    data = {"username": username, "password": password}
    if path.startswith("/admin/"):
        data["next"] = "/admin/"
    return client.post(path, data, **extra)


def test_failures_at_the_login_page_lock_the_admin_login_too(client: Client) -> None:
    staff()
    for _ in range(FAILURES_ALLOWED):
        post(client, "/login/", "boss", "guess")

    admin = post(client, "/admin/login/", "boss", PASSWORD)

    assert admin.status_code == 429
    assert "Too many failed sign-ins" in admin.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still not signed in


def test_failures_at_the_admin_login_lock_the_login_page_too(client: Client) -> None:
    staff()
    for attempt in range(FAILURES_ALLOWED - 1):
        assert post(client, "/admin/login/", "boss", "guess").status_code == 200, attempt
    assert post(client, "/admin/login/", "boss", "guess").status_code == 429

    page = post(client, "/login/", "boss", PASSWORD)

    assert page.status_code == 429
    assert "Too many failed sign-ins" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_login_still_signs_in_staff_when_not_locked(client: Client) -> None:
    staff()
    post(client, "/admin/login/", "boss", "guess")

    response = post(client, "/admin/login/", "boss", PASSWORD)

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_lock_message_is_in_the_persons_language(client: Client, settings: Any) -> None:
    settings.LANGUAGE_CODE = PRODUCT_LANGUAGE  # Chinese, as a collector sees it
    User.objects.create_user("c1", password=PASSWORD, role=Role.COLLECTOR)
    for _ in range(FAILURES_ALLOWED):
        post(client, "/login/", "c1", "guess")

    page = post(client, "/login/", "c1", PASSWORD)

    assert page.status_code == 429
    assert "登录失败次数过多" in page.content.decode()
    assert '<html lang="zh-hans">' in page.content.decode()


def test_a_forged_forwarded_for_header_buys_no_fresh_count(client: Client) -> None:
    User.objects.create_user("c1", password=PASSWORD, role=Role.COLLECTOR)
    for n in range(FAILURES_ALLOWED):
        post(client, "/login/", "c1", "guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    again = post(client, "/login/", "c1", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert again.status_code == 429


def test_the_test_clients_login_without_a_request_still_works(client: Client) -> None:
    # Code that authenticates without a request (no address to count against) is not
    # refused by the throttle; the password is still checked.
    User.objects.create_user("c1", password=PASSWORD, role=Role.COLLECTOR)

    assert client.login(username="c1", password="wrong") is False
    assert client.login(username="c1", password=PASSWORD) is True
