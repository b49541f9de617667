"""Arrears settings: one file, driven by the environment.

Everything a deployment changes comes from environment variables (see ``.env.example``);
the defaults give a working single-machine setup on SQLite under ``ARREARS_DATA_DIR``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path

import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from arrears.config.environment import (
    SECRET_KEY_MIN_LENGTH,
    database_from_url,
    env_bool,
    env_int,
    secret_key_of_data_dir,
)

# Lets ModelAdmin[Model] and friends be subscripted at run time, as the type stubs expect.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


# The API docs page uses django-ninja's own copy of Swagger UI (not a CDN the CSP forbids):
# its templates and static files are found by path. Listed as an app instead, ninja would
# be imported (with pydantic and django.test) by every process at start, 0.2 s of each
# `arrears` command, though only the web process's API needs it.
_NINJA = Path(find_spec("ninja").origin).parent  # type: ignore[union-attr,arg-type]
DATA_DIR = Path(os.environ.get("ARREARS_DATA_DIR", Path.cwd() / "var")).resolve()

DEBUG = env_bool("ARREARS_DEBUG", False)
# Production sets ARREARS_REQUIRE_SECRET=1: then the key must come from the environment,
# at least 50 characters, or nothing starts. There is no built-in fallback key, ever.
REQUIRE_SECRET = env_bool("ARREARS_REQUIRE_SECRET", False)
SECRET_KEY = os.environ.get("ARREARS_SECRET_KEY", "").strip()
# Read by the deployment check (arrears check --deploy warns unless it is True).
SECRET_KEY_FROM_ENVIRONMENT = bool(SECRET_KEY)
if REQUIRE_SECRET and len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH:
    raise ImproperlyConfigured(
        "ARREARS_REQUIRE_SECRET is set, so ARREARS_SECRET_KEY must be set to at least "
        f"{SECRET_KEY_MIN_LENGTH} random characters "
        + ("(it is missing)." if not SECRET_KEY else f"(it has {len(SECRET_KEY)}).")
        + ' Generate one with: python3 -c "import secrets; print(secrets.token_urlsafe(50))"'
    )
if not SECRET_KEY:
    SECRET_KEY = secret_key_of_data_dir(DATA_DIR)

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ARREARS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("ARREARS_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # The sign-in throttle (django-axes, database handler: one count for every process).
    "axes",
    "csp",
    "arrears.core",
    # With the deployment checks (arrears check --deploy) registered when it is ready.
    "arrears.accounts.checks.AccountsConfig",
    "arrears.portfolio",
    "arrears.cycle",
    "arrears.cases",
    "arrears.compliance",
    "arrears.strategy",
    "arrears.outreach",
    "arrears.legal",
    "arrears.portal",
    "arrears.guarantee",
    "arrears.transfers",
    "arrears.field",
    "arrears.agencies",
    "arrears.quality",
    "arrears.insights",
    "arrears.api",
    "arrears.workbench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "arrears.workbench.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "arrears.workbench.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Outside the views: sees every response, the sign-in lock's included.
    "arrears.workbench.middleware.PersonalDataNoStoreMiddleware",
    "arrears.workbench.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "arrears.config.urls"
WSGI_APPLICATION = "arrears.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [_NINJA / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL", "").strip()
if _database_url:
    DATABASES = {"default": database_from_url(_database_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "arrears.sqlite3"),
            "OPTIONS": {
                # WAL lets the web server read while a batch writes; IMMEDIATE avoids
                # "database is locked" upgrades from read to write inside a transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    # Up to 2 GB mapped (SQLite's cap): a million loans make a 2 GB file.
                    "PRAGMA mmap_size=2147418112;"
                    "PRAGMA temp_store=MEMORY;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# The throttle first: it refuses a locked-out username and address before any password is
# checked; it authenticates nobody itself. /login/ and /admin/login/ both go through it.
AUTHENTICATION_BACKENDS = [
    "arrears.accounts.throttle.SignInThrottleBackend",
    # Django's ModelBackend, its permissions read in one query (accounts.permissions).
    "arrears.accounts.permissions.ModelPermissionsBackend",
]

# The sign-in throttle (django-axes; docs/deployment.md): ten wrong passwords for one username
# from one address lock that pair for fifteen minutes after the last of them, even for the
# right password, on every process and both sign-in pages. Counted in the database, so
# every worker and server sees the same count (the cache is per process).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("ARREARS_SIGN_IN_FAILURES", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ARREARS_SIGN_IN_LOCK_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Usernames counted case-insensitively, and the address is REMOTE_ADDR, never a header the
# client writes (X-Forwarded-For would let it pick a fresh count for every guess).
AXES_USERNAME_CALLABLE = "arrears.accounts.throttle.username_of"
AXES_CLIENT_IP_CALLABLE = "arrears.accounts.throttle.address_of"
AXES_LOCKOUT_CALLABLE = "arrears.accounts.throttle.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
# A guess while locked is refused unchecked and does not extend the lock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Blanked in axes' log lines and in the query strings it keeps with each attempt (a login
# redirect's next= can hold a search for a phone number).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "next", "q"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("ARREARS_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [_NINJA / "static"]

# The project's own sign-in page; after it each role lands on its own page
# (``arrears.accounts.views.landing_url``) and LOGIN_REDIRECT_URL is only the fallback.
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
# The language switch (English or 中文) is remembered for a year in its own cookie, so it
# survives signing out; LocaleMiddleware reads it before the browser's Accept-Language.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("ARREARS_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Sessions end after ARREARS_SESSION_IDLE_MINUTES without a request, and in any case
# ARREARS_SESSION_MAX_HOURS after signing in (SessionLimitsMiddleware). The cookie and the
# stored session live as long as the idle limit; the middleware renews them at most once a
# minute rather than writing the session on every request.
ARREARS_SESSION_IDLE_SECONDS = env_int("ARREARS_SESSION_IDLE_MINUTES", 30) * 60
ARREARS_SESSION_MAX_SECONDS = env_int("ARREARS_SESSION_MAX_HOURS", 12) * 3600
SESSION_COOKIE_AGE = ARREARS_SESSION_IDLE_SECONDS

# HTTPS (docs/deployment.md). Off by default, so the demo works on http://127.0.0.1; a
# production deployment behind TLS turns them on and `arrears check --deploy` is then silent.
SECURE_SSL_REDIRECT = env_bool("ARREARS_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("ARREARS_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ARREARS_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("ARREARS_HSTS_PRELOAD", False)
# Only behind a proxy that sets X-Forwarded-Proto itself (and strips the client's own):
# otherwise a client could claim HTTPS.
if env_bool("ARREARS_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): everything from this site only, no inline script or
# style. Bootstrap's CSS draws its icons (select arrows, the menu button) from data: images.
# The admin gets inline styles on top (ContentSecurityPolicyMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ARREARS_LOG_LEVEL", "WARNING")},
}
# Applies LOGGING, then puts the redacting filter (phones, ID numbers, search terms, secrets)
# on the access and request loggers of runserver and gunicorn and on every root handler, and
# the expected-error filter on django.request and the root handlers: a 400/403/404 is logged
# as one line with its status and path, without a traceback; a 500 keeps its traceback.
LOGGING_CONFIG = "arrears.core.log_redaction.logging_configure"
# A refused CSRF check gets the workbench's 403 page (JSON under /api/), in the person's
# language, instead of Django's English one.
CSRF_FAILURE_VIEW = "arrears.workbench.views.errors.csrf_failure"

# Email (the outreach email channel): Django's own setting names, from the environment.
# Neither EMAIL_BACKEND nor EMAIL_HOST set and not production (ARREARS_REQUIRE_SECRET): the
# development backend, which writes each email to ARREARS_DATA_DIR/dev-outbox/ (email.log
# and email/*.eml) so the demo's messages can be read; production defaults to SMTP. The dev
# backend refuses to open under production settings (checks arrears.outreach.E001, E002).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "").strip() or (
    "arrears.outreach.channels.email_dev.EmailBackend"
    if not REQUIRE_SECRET and not os.environ.get("EMAIL_HOST", "").strip()
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "arrears@localhost")
# A mailto: address or https: URL (comma-separated for both) for the List-Unsubscribe header.
EMAIL_LIST_UNSUBSCRIBE = os.environ.get("EMAIL_LIST_UNSUBSCRIBE", "")
# Where the development SMS channel and email backend write (default DATA_DIR/dev-outbox).
ARREARS_DEV_OUTBOX_DIR = os.environ.get("ARREARS_DEV_OUTBOX_DIR", "")

# Set by other parts of issue 14
# The audit chain's HMAC key (hex or base64, at least 32 bytes) and retired keys kept for
# verification (comma-separated). Unset: a key file under ARREARS_DATA_DIR (the demo); with
# ARREARS_REQUIRE_SECRET=1 the environment must give it (docs/security.md).
ARREARS_AUDIT_KEY = os.environ.get("ARREARS_AUDIT_KEY", "")
ARREARS_AUDIT_OLD_KEYS = os.environ.get("ARREARS_AUDIT_OLD_KEYS", "")

# Tape import caps: checked before the costly work they guard (docs/loan-tape.md).
ARREARS_IMPORT_MAX_FILE_BYTES = int(
    os.environ.get("ARREARS_IMPORT_MAX_FILE_BYTES", 200 * 1024 * 1024)
)
ARREARS_IMPORT_MAX_ROWS = int(os.environ.get("ARREARS_IMPORT_MAX_ROWS", 5_000_000))
ARREARS_IMPORT_MAX_COLUMNS = int(os.environ.get("ARREARS_IMPORT_MAX_COLUMNS", 200))
ARREARS_IMPORT_MAX_CELL_CHARS = int(os.environ.get("ARREARS_IMPORT_MAX_CELL_CHARS", 2000))
# Blank rows are skipped but each costs parsing; more than this many in a sheet is refused.
ARREARS_IMPORT_MAX_BLANK_ROWS = int(os.environ.get("ARREARS_IMPORT_MAX_BLANK_ROWS", 100_000))
# XLSX: the unpacked size of the sheet and of its shared strings, each.
ARREARS_IMPORT_MAX_UNPACKED_BYTES = int(
    os.environ.get("ARREARS_IMPORT_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)
)
# The largest amount accepted anywhere, in fen (core.bounds; default ten billion yuan).
ARREARS_AMOUNT_CEILING_FEN = int(os.environ.get("ARREARS_AMOUNT_CEILING_FEN", 10**12))
# How many hours after a contact it may still be recorded (late entry, 补录), by the roles
# allowed to (accounts.roles "contact_record_late"); the gate judges it against its own day.
ARREARS_LATE_CONTACT_HOURS = int(os.environ.get("ARREARS_LATE_CONTACT_HOURS", "24"))
# The largest /api/ request body in bytes (larger: 413), and how long an Idempotency-Key's
# answer is kept for replay.
ARREARS_API_MAX_BODY_BYTES = int(os.environ.get("ARREARS_API_MAX_BODY_BYTES", 1024 * 1024))
ARREARS_IDEMPOTENCY_TTL_HOURS = int(os.environ.get("ARREARS_IDEMPOTENCY_TTL_HOURS", "24"))
# The https address at which this Arrears is reachable from the internet; when set, every
# email's List-Unsubscribe carries a one-click link (RFC 8058) that places the opt-out hold.
ARREARS_PUBLIC_URL = os.environ.get("ARREARS_PUBLIC_URL", "")
# Encryption at rest of ID numbers, phones and emails (docs/security.md): "kid:base64key,…"
# (the first encrypts, all decrypt) and the blind index's HMAC key. Unset: key files under
# ARREARS_DATA_DIR (the demo); with ARREARS_REQUIRE_SECRET=1 the environment must give both.
ARREARS_FIELD_KEYS = os.environ.get("ARREARS_FIELD_KEYS", "")
ARREARS_INDEX_KEY = os.environ.get("ARREARS_INDEX_KEY", "")

# The borrower portal (docs/portal.md): its address (messages' {{ self_service_link }} becomes a
# one-time link under it), link lifetime, the account(s) borrowers pay into (ACCOUNTS: JSON
# by creditor name), a promise's limits, and Aliyun's template code for the sign-in code.
ARREARS_SELF_SERVICE_URL = os.environ.get("ARREARS_SELF_SERVICE_URL", "").strip()
ARREARS_PORTAL_LINK_DAYS = env_int("ARREARS_PORTAL_LINK_DAYS", 7)
ARREARS_PAYMENT_ACCOUNT_NAME = os.environ.get("ARREARS_PAYMENT_ACCOUNT_NAME", "").strip()
ARREARS_PAYMENT_ACCOUNT_BANK = os.environ.get("ARREARS_PAYMENT_ACCOUNT_BANK", "").strip()
ARREARS_PAYMENT_ACCOUNT_NUMBER = os.environ.get("ARREARS_PAYMENT_ACCOUNT_NUMBER", "").strip()
ARREARS_PAYMENT_ACCOUNTS = os.environ.get("ARREARS_PAYMENT_ACCOUNTS", "").strip()
ARREARS_PORTAL_PROMISE_DAYS = env_int("ARREARS_PORTAL_PROMISE_DAYS", 14)
ARREARS_PORTAL_PROMISE_MIN_PERCENT = env_int("ARREARS_PORTAL_PROMISE_MIN_PERCENT", 100)
ARREARS_PORTAL_SMS_TEMPLATE_CODE = os.environ.get("ARREARS_PORTAL_SMS_TEMPLATE_CODE", "").strip()

# Call recordings (docs/quality.md): the largest audio file accepted, in bytes.
ARREARS_RECORDING_MAX_BYTES = env_int("ARREARS_RECORDING_MAX_BYTES", 50 * 1024 * 1024)

# Strategy simulation (docs/strategy.md) and the stop-loss list (docs/closing.md): fen per
# message or task by channel.
ARREARS_CHANNEL_COSTS = os.environ.get(
    "ARREARS_CHANNEL_COSTS", "sms=5,email=1,letter=800,call=300,visit=5000"
)
