"""The error pages (issue 15): a refusal says, in the person's language, what was refused and
why; a 404 says the same whether the thing is missing or out of scope; a 500 renders without
the database; the API keeps answering JSON; an expected 4xx leaves one log line without a
traceback while a 500 keeps its traceback.

This module is also a URL map (``pytest.mark.urls``) for the 500 tests: the site's own URLs
plus one view that fails.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import translation
from pytest_django import DjangoDbBlocker

from arrears.config.urls import urlpatterns as site_urlpatterns
from arrears.core.log_redaction import ExpectedErrorFilter
from arrears.workbench.views.errors import refusal_reason, server_error
from tests.e2e.world import World, world_build

pytestmark = pytest.mark.django_db


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *site_urlpatterns]
handler400 = "arrears.workbench.views.errors.bad_request"
handler403 = "arrears.workbench.views.errors.permission_denied"
handler404 = "arrears.workbench.views.errors.page_not_found"
handler500 = "arrears.workbench.views.errors.server_error"


@pytest.fixture
def world(db: None, tmp_path: Path) -> World:
    return world_build(tmp_path)


@pytest.fixture
def chinese(settings: Any) -> Iterator[None]:
    """The product's default language (the suite's autouse fixture reads pages in English)."""
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


def signed_in(world: World, username: str, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(world.users[username])
    return client


def test_a_refused_action_shows_a_chinese_403_naming_what_and_why(
    world: World, chinese: None
) -> None:
    case = world.cases["E2E-A3"]

    response = signed_in(world, "auditor").post(f"/cases/{case.pk}/contacts/", {})

    html = response.content.decode()
    assert response.status_code == 403
    assert 'lang="zh-hans"' in html and 'data-testid="error-page"' in html
    assert "无权操作" in html and "被拒绝的操作：记录联系。" in html
    assert (
        "您的角色（合规审计）无权记录联系；此操作仅限：催收员、外访员、组长、委外催收员。" in html
    )
    assert 'href="/"' in html and "返回首页" in html
    assert "Forbidden" not in html


def test_the_same_refusal_reads_in_english_for_who_chose_english(world: World) -> None:
    client = signed_in(world, "collector1")

    response = client.get("/approvals/")

    assert response.status_code == 403
    assert (
        "Your role (Collector) may not approve or reject repayment plans; it is for: "
        "Team lead, Manager." in response.content.decode()
    )


def test_a_reason_the_view_gives_is_shown_as_it_is(world: World, chinese: None) -> None:
    response = signed_in(world, "manager").get("/cycle/")

    assert response.status_code == 403
    assert "查看日终批处理记录需要管理员权限。" in response.content.decode()


def test_a_missing_page_and_an_out_of_scope_case_read_alike_in_chinese(
    world: World, chinese: None
) -> None:
    client = signed_in(world, "collector1")
    other_teams = world.cases["E2E-B1"]

    answers = [
        client.get(f"/cases/{other_teams.pk}/"),
        client.get("/cases/99999999/"),
        client.get("/no-such-page/"),
    ]

    for response in answers:
        html = response.content.decode()
        assert response.status_code == 404
        assert 'data-status="404"' in html and "未找到" in html
        assert "该页面或记录不存在，或不在您可查看的范围内。" in html
        assert "赵强" not in html and "E2E-B1" not in html


def test_an_anonymous_visitor_gets_the_404_page_too(client: Client, chinese: None) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "该页面或记录不存在" in response.content.decode()


def test_the_api_keeps_answering_json(world: World, chinese: None) -> None:
    client = signed_in(world, "collector1")

    unknown = client.get("/api/no-such-endpoint")
    out_of_scope = client.get(f"/api/v1/cases/{world.cases['E2E-B1'].pk}")

    for response in (unknown, out_of_scope):
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()


def test_a_failed_csrf_check_gets_the_workbench_403_page(world: World, chinese: None) -> None:
    client = signed_in(world, "collector1", enforce_csrf_checks=True)

    response = client.post(f"/cases/{world.cases['E2E-A1'].pk}/holds/", {"kind": "dispute"})

    html = response.content.decode()
    assert response.status_code == 403
    assert "表单未被接受" in html and "未保存任何内容。" in html
    assert "CSRF verification failed" not in html


def test_a_bad_host_gets_the_400_page(client: Client, chinese: None) -> None:
    response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert 'data-status="400"' in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_bug_gets_the_500_page_and_its_traceback_is_logged(
    world: World, chinese: None, caplog: pytest.LogCaptureFixture
) -> None:
    client = signed_in(world, "collector1", raise_request_exception=False)
    caplog.set_level(logging.WARNING, logger="django.request")

    response = client.get("/boom/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in html and "错误已记录" in html
    errors = [r for r in caplog.records if r.name == "django.request" and r.levelno >= 40]
    assert errors and errors[0].exc_info is not None, "a 500 keeps its traceback"


def test_the_500_page_renders_without_the_database(
    django_db_blocker: DjangoDbBlocker, chinese: None
) -> None:
    request = RequestFactory().get("/cases/1/")

    with django_db_blocker.block():
        response = server_error(request)

    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()


def test_an_expected_refusal_is_logged_in_one_line_without_a_traceback(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="django.request")
    case = world.cases["E2E-A3"]

    signed_in(world, "auditor").post(f"/cases/{case.pk}/contacts/", {})
    signed_in(world, "collector1").get("/no-such-page/")

    records = [r for r in caplog.records if r.name == "django.request"]
    forbidden = [r for r in records if getattr(r, "status_code", None) == 403]
    missing = [r for r in records if getattr(r, "status_code", None) == 404]
    assert len(forbidden) == 1 and len(missing) == 1
    assert forbidden[0].exc_info is None and forbidden[0].exc_text is None
    assert (
        forbidden[0].getMessage()
        == f"Forbidden (Permission denied): /cases/{case.pk}/contacts/ [403]"
    )
    assert missing[0].exc_info is None
    assert "Traceback" not in caplog.text


def test_the_filter_leaves_a_500_and_other_records_alone() -> None:
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        import sys

        failure = sys.exc_info()
    server = logging.LogRecord("django.request", 40, __file__, 1, "boom: %s", ("/x",), failure)
    server.status_code = 500
    plain = logging.LogRecord("arrears", 30, __file__, 1, "note %s", ("x",), failure)
    refused = logging.LogRecord("django.security.X", 40, __file__, 1, "bad %s", ("/y",), failure)
    refused.status_code = 400

    for record in (server, plain, refused):
        assert ExpectedErrorFilter().filter(record)

    assert server.exc_info is failure and plain.exc_info is failure
    assert refused.exc_info is None and refused.levelno == logging.WARNING
    assert refused.getMessage() == "bad /y [400]"


def test_a_services_refusal_is_shown_in_the_persons_language(chinese: None) -> None:
    request = RequestFactory().post("/plans/1/decide/")

    reason = refusal_reason(request, PermissionDenied("this plan is beyond your authority"))

    assert reason == "此还款计划超出您的审批权限（见后台的权限矩阵）。"
