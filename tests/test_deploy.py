"""A deployment that holds (issue 14, findings 2, 6, 7, 9): no built-in secret key and a
loud failure without a usable one; `arrears check --deploy` silent under the documented
production settings; a Content-Security-Policy and no-store on personal data; no phone, ID
number, search term or secret in the logs; and one sign-in throttle shared by several
server processes, served for real by gunicorn and runserver."""

from __future__ import annotations

import base64
import http.client
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.core.log_redaction import redact
from tests.scratch import Migrated, Scratch, arrears

PASSWORD = "a-long-unique-pass"
PHONE = "13800138000"
ID_NUMBER = "110101199003071234"
URL_SECRET = "s3cr3t-in-the-url-4711"
# The settings docs/deployment.md and .env.example give for production.
PRODUCTION = {
    "ARREARS_REQUIRE_SECRET": "1",
    "ARREARS_ALLOWED_HOSTS": "arrears.example.com",
    "ARREARS_CSRF_TRUSTED_ORIGINS": "https://arrears.example.com",
    "ARREARS_SECURE_COOKIES": "1",
    "ARREARS_SSL_REDIRECT": "1",
    "ARREARS_PROXY_SSL_HEADER": "1",
    "ARREARS_HSTS_SECONDS": "31536000",
    "ARREARS_HSTS_INCLUDE_SUBDOMAINS": "1",
    "ARREARS_HSTS_PRELOAD": "1",
    "ARREARS_SESSION_IDLE_MINUTES": "30",
    "ARREARS_SESSION_MAX_HOURS": "12",
    # The data keys (fixed test values; production takes them from its secret store).
    "ARREARS_FIELD_KEYS": "k1:" + base64.b64encode(b"f" * 32).decode(),
    "ARREARS_INDEX_KEY": base64.b64encode(b"i" * 32).decode(),
    "ARREARS_AUDIT_KEY": base64.b64encode(b"a" * 32).decode(),
}


def run_arrears(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real `arrears` command with a clean environment of our own."""
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ARREARS_", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, "-m", "arrears", *args],
        env={**base, "ARREARS_DATA_DIR": str(data_dir), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- The secret key (finding 7) and `arrears check --deploy` (finding 9) --------------


def test_check_deploy_is_silent_under_the_documented_production_settings(
    tmp_path: Path,
) -> None:
    key = secrets.token_urlsafe(50)

    done = run_arrears(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        ARREARS_SECRET_KEY=key,
        **PRODUCTION,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNINGS" not in done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_warns_while_the_key_is_not_from_the_environment(tmp_path: Path) -> None:
    production = {**PRODUCTION, "ARREARS_REQUIRE_SECRET": "0"}

    done = run_arrears(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production)

    assert done.returncode == 1
    assert "arrears.W001" in done.stderr and "ARREARS_SECRET_KEY" in done.stderr
    # The demo's way still works: a key generated once into the data directory, kept.
    assert len((tmp_path / "secret_key").read_text()) >= 50


def test_check_deploy_warns_while_the_data_keys_are_files_in_the_data_dir(
    tmp_path: Path,
) -> None:
    production = {**PRODUCTION, "ARREARS_SECRET_KEY": "s" * 60}
    del production["ARREARS_INDEX_KEY"], production["ARREARS_AUDIT_KEY"]

    done = run_arrears(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production)

    assert done.returncode == 1
    assert "arrears.W004" in done.stderr
    assert "ARREARS_INDEX_KEY, ARREARS_AUDIT_KEY not set" in done.stderr


def test_check_deploy_names_each_missing_https_setting(tmp_path: Path) -> None:
    done = run_arrears(tmp_path, "check", "--deploy", ARREARS_SECRET_KEY="x" * 60)

    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in done.stderr


def test_an_unwritable_data_dir_fails_loudly_instead_of_using_a_built_in_key(
    tmp_path: Path,
) -> None:
    # Finding 7: this used to fall back to a key written in the source, and `arrears check`
    # said nothing. A data directory under a plain file cannot be created, even by root.
    blocker = tmp_path / "a-file"
    blocker.write_text("")

    done = run_arrears(blocker / "data", "check")

    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "No secret key" in done.stderr and "ARREARS_SECRET_KEY" in done.stderr


def test_an_unreadable_key_file_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "secret_key").mkdir()  # there, but not a file anyone can read a key from

    done = run_arrears(tmp_path, "check")

    assert done.returncode != 0 and "No secret key" in done.stderr


@pytest.mark.parametrize(("key", "said"), [("", "it is missing"), ("short-key", "it has 9")])
def test_production_refuses_to_start_without_a_long_key(
    tmp_path: Path, key: str, said: str
) -> None:
    done = run_arrears(tmp_path, "check", ARREARS_REQUIRE_SECRET="1", ARREARS_SECRET_KEY=key)

    assert done.returncode != 0
    assert "ARREARS_SECRET_KEY must be set to at least 50" in done.stderr and said in done.stderr
    assert not (tmp_path / "secret_key").exists()  # no generated key in its place


def test_the_key_comes_from_the_environment_when_set(tmp_path: Path) -> None:
    key = secrets.token_urlsafe(50)

    done = run_arrears(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        ARREARS_SECRET_KEY=key,
    )

    assert done.stdout.strip().splitlines()[-1] == key
    assert not (tmp_path / "secret_key").exists()


# --- CSP and no-store (finding 9) ------------------------------------------------------


@pytest.fixture
def boss(db: None) -> User:
    return User.objects.create_superuser("boss", password=PASSWORD, role=Role.ADMIN)


def _csp(response: Any) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_pages_carry_a_content_security_policy_without_inline_script(
    client: Client, boss: User
) -> None:
    login = client.get("/login/")
    client.force_login(boss)
    home = client.get("/")

    for response in (login, home):
        policy = _csp(response)
        assert policy["default-src"] == "default-src 'self'"
        assert "frame-ancestors 'none'" in policy.values()
        assert "script-src" not in policy  # scripts fall back to 'self': nothing inline
        assert "unsafe-inline" not in response["Content-Security-Policy"]
    # The login page keeps its look without inline style: its stylesheet is a file.
    assert "<style" not in login.content.decode()
    assert "accounts/sign-in.css" in login.content.decode()


def test_the_admin_works_under_the_policy_with_inline_styles_only(
    client: Client, boss: User
) -> None:
    client.force_login(boss)

    index = client.get("/admin/")
    changelist = client.get("/admin/accounts/user/")

    assert index.status_code == 200 and changelist.status_code == 200
    policy = _csp(changelist)
    assert policy["style-src"] == "style-src 'self' 'unsafe-inline'"
    assert "script-src" not in policy


def test_the_api_docs_use_their_own_copy_of_swagger_not_a_cdn(client: Client) -> None:
    page = client.get("/api/v1/docs").content.decode()

    assert "cdn." not in page and "static/ninja/swagger-ui" in page


def test_personal_data_responses_are_never_stored(client: Client, boss: User) -> None:
    anonymous_api = client.get("/api/v1/cases/")
    client.force_login(boss)
    responses = {
        "page": client.get("/"),
        "refused page": client.get("/queue/", {"q": PHONE}),  # 403 for an administrator
        "api": client.get("/api/v1/cases/"),
        "admin": client.get("/admin/accounts/user/", {"q": PHONE}),
        "api without a sign-in": anonymous_api,
    }

    for name, response in responses.items():
        assert "no-store" in response.get("Cache-Control", ""), name
        assert "private" in response["Cache-Control"], name


def test_https_settings_follow_the_environment_defaults_for_the_demo(settings: Any) -> None:
    assert settings.SECURE_CONTENT_TYPE_NOSNIFF is True
    assert settings.SECURE_REFERRER_POLICY == "same-origin"
    assert settings.X_FRAME_OPTIONS == "DENY"


# --- Logs never carry identifiers (finding 6) --------------------------------------------


@pytest.fixture
def server_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog on the runserver access logger too (it does not propagate to the root)."""
    logger = logging.getLogger("django.server")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)


def test_access_lines_lose_search_terms_phones_ids_and_secrets(
    server_log: pytest.LogCaptureFixture,
) -> None:
    access = logging.getLogger("django.server")
    # Exactly what runserver writes for each request (WSGIRequestHandler.log_message).
    for line in (
        f"GET /queue/?q={PHONE} HTTP/1.1",
        f"GET /api/v1/cases?q={ID_NUMBER}&page=2 HTTP/1.1",
        f"POST /api/v1/outreach/receipts/sms?secret={URL_SECRET} HTTP/1.1",
        "GET /login/?next=/queue/%3Fq%3D%E5%BC%A0%E4%B8%89 HTTP/1.1",
        f"GET /cases/?phone=%2B86{PHONE} HTTP/1.1",
    ):
        access.info('"%s" %s %s', line, "200", "512")

    logged = server_log.text
    assert PHONE not in logged and ID_NUMBER not in logged and URL_SECRET not in logged
    assert "%E5%BC%A0" not in logged  # a name searched for, URL-encoded inside next=
    assert "/queue/?q=[redacted]" in logged and "&page=2" in logged
    assert len(server_log.records) == 5  # redacted, never dropped


def test_request_errors_and_tracebacks_lose_them_too(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    client.get(f"/api/v1/nowhere/{PHONE}/")  # django.request: "Not Found: /api/v1/…"
    try:
        raise ValueError(f"duplicate key (id_number)=({ID_NUMBER})")
    except ValueError:
        logging.getLogger("django.request").exception("Internal Server Error: /x")

    logged = caplog.text
    assert "Not Found" in logged and "ValueError" in logged
    assert PHONE not in logged and ID_NUMBER not in logged


def test_redaction_leaves_ordinary_numbers_alone() -> None:
    line = 'GET /cases/1234/?as_of=2026-12-06&page=3 HTTP/1.1" 200 51234'
    assert redact(line) == line
    assert redact(f"tel {PHONE}, +86 {PHONE}, id {ID_NUMBER[:-1]}X") == (
        "tel [redacted], [redacted], id [redacted]"
    )


def test_secrets_in_a_path_are_blanked() -> None:
    # A URL-only provider's path token and a one-click unsubscribe link are secrets too.
    line = 'POST /api/v1/outreach/p/s3cr3t-T0ken/receipts/sms HTTP/1.1" 200 12'
    assert redact(line) == 'POST /api/v1/outreach/p/[redacted]/receipts/sms HTTP/1.1" 200 12'
    assert "sig-abc" not in redact("POST /api/v1/outreach/unsubscribe/42:sig-abc HTTP/1.1")


# --- Served for real: several gunicorn workers share one throttle; access logs redacted --


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start within 90 s")


class Browser:
    """A new connection for every request (so a pool of workers shares them out), with the
    CSRF cookie carried by hand."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, text
        finally:
            connection.close()


@pytest.fixture(scope="module")
def served_db(
    tmp_path_factory: pytest.TempPathFactory, scratch_migrated: Migrated
) -> Iterator[tuple[Scratch, str]]:
    """One migrated scratch database (of the kind of this test run) with a staff user."""
    box = Scratch(tmp_path_factory.mktemp("served"), scratch_migrated)
    name = f"arrears_deploy_{uuid.uuid4().hex[:8]}"
    try:
        box.create_migrated(name)
        script = (
            "from arrears.accounts.models import User; "
            f"User.objects.create_superuser('boss', password='{PASSWORD}', role='admin')"
        )
        done = arrears(box, name, "shell", "-c", script)
        assert done.returncode == 0, done.stderr
        yield box, name
    finally:
        box.drop_all()


def _identifying_requests(browser: Browser) -> None:
    browser.request("GET", f"/queue/?q={PHONE}")
    browser.request("GET", f"/login/?next=/queue/%3Fq%3D{PHONE}")
    browser.request("GET", f"/api/v1/cases/?q={ID_NUMBER}")
    browser.request("POST", f"/api/v1/outreach/receipts/sms?secret={URL_SECRET}", {})


def _stop(server: subprocess.Popen[str]) -> str:
    server.send_signal(signal.SIGTERM)
    try:
        out, err = server.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        out, err = server.communicate()
    return out + err


def _gunicorn(box: Scratch, name: str, port: int, workers: int) -> subprocess.Popen[str]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [
            str(gunicorn),
            "arrears.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--access-logformat",
            'worker=%(p)s "%(r)s" %(s)s',
        ],
        env=box.env(name, ARREARS_RECEIPT_SECRET=URL_SECRET),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_several_gunicorn_workers_share_one_sign_in_throttle_and_log_no_identifiers(
    served_db: tuple[Scratch, str],
) -> None:
    box, name = served_db
    # Two servers on one database, the attempts alternating between them: the kernel may
    # hand every connection of one server to the same idle worker (it did, once, in CI), so
    # a second server is what makes sure the count is shared between processes.
    ports = [_free_port(), _free_port()]
    servers = [_gunicorn(box, name, ports[0], 3), _gunicorn(box, name, ports[1], 2)]
    logs = []
    try:
        for port, server in zip(ports, servers, strict=True):
            _wait_for(port, server)
        browser = Browser(ports[0])
        assert browser.request("GET", "/login/")[0] == 200  # the CSRF cookie
        statuses = []
        for attempt in range(10):  # wrong passwords, on both pages and both servers in turn
            browser.port = ports[attempt % 2]
            page = "/login/" if attempt % 4 < 2 else "/admin/login/"
            form = {"username": "boss", "password": "guess", "next": "/admin/"}
            statuses.append(browser.request("POST", page, form)[0])
        right = {"username": "boss", "password": PASSWORD, "next": "/admin/"}
        browser.port = ports[0]
        eleventh_login, login_page = browser.request("POST", "/login/", right)
        browser.port = ports[1]
        eleventh_admin, admin_page = browser.request("POST", "/admin/login/", right)
        browser.port = ports[0]
        _identifying_requests(browser)
    finally:
        logs = [_stop(server) for server in servers]
    log = "\n".join(logs)

    assert statuses == [200] * 9 + [429]
    assert (eleventh_login, eleventh_admin) == (429, 429)
    # Served in the product's language, Chinese: "Too many failed sign-ins…".
    assert "登录失败次数过多" in login_page and "登录失败次数过多" in admin_page
    workers = set(re.findall(r'worker=<(\d+)> "POST /(?:admin/)?login/', log))
    assert len(workers) >= 2, log  # the attempts really were spread over processes
    assert "/queue/?q=[redacted]" in log, log  # the access lines were written...
    assert PHONE not in log and ID_NUMBER not in log and URL_SECRET not in log  # ...blanked


def test_arrears_serve_logs_no_identifiers(served_db: tuple[Scratch, str]) -> None:
    box, name = served_db
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "arrears", "serve", f"127.0.0.1:{port}"],
        env=box.env(name, ARREARS_RECEIPT_SECRET=URL_SECRET),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(port, server)
        _identifying_requests(Browser(port))
    finally:
        log = _stop(server)

    assert "/queue/?q=[redacted]" in log, log
    assert PHONE not in log and ID_NUMBER not in log and URL_SECRET not in log
