"""No identifier reaches a log: a logging filter that blanks search terms, phone numbers,
ID numbers and secrets in log records, attached to the access and request loggers of
runserver (``django.server``) and gunicorn (``gunicorn.access``, ``gunicorn.error``), to
``django.request`` and to every handler of the root logger.

Also ``ExpectedErrorFilter``: a refusal (403), a missing page (404) or a bad request (400) is
the site working as it should, so its record keeps its one line (what, path, status) but
loses the traceback Django attaches; a 500 keeps its traceback.

Why a filter and not only POST searches: an access log line is the request line, written
by the server before any view runs; and a provider that can only be given a URL puts its
secret in the query string.
"""

from __future__ import annotations

import logging
import logging.config
import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"

# Query parameters whose values are always blanked, wherever they appear in a message.
PARAMETERS = (
    "q",
    "search",
    "phone",
    "mobile",
    "id_number",
    "email",
    "secret",
    "token",
    "password",
)
# ``name=value`` after ``?`` or ``&``, also URL-encoded (``%3Fq%3D…`` inside ``next=``); the
# value runs to the next parameter, a space or a quote.
_PARAMETER = re.compile(
    r"((?:[?&]|%3F|%26)(?:" + "|".join(PARAMETERS) + r")(?:=|%3D))(.*?)(?=&|%26|[\s\"']|$)",
    re.IGNORECASE,
)
# Mainland mobile numbers (11 digits from 13… to 19…, with or without +86) and resident
# ID numbers (17 digits and a digit or X), wherever they are: a path, a JSON body, an error.
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9]{9}(?![0-9])")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")

# Secrets carried in a URL's path: the path token of providers that can only be given a URL
# (``/api/v1/outreach/p/<token>/…``) and signed one-click unsubscribe links.
_PATH_SECRET = re.compile(r"(/outreach/(?:p|unsubscribe)/)([^/\s?\"']+)")

# Loggers that write request lines and request errors; the root's handlers catch the rest.
LOGGERS = ("django.server", "django.request", "gunicorn.access", "gunicorn.error")


def redact(text: str) -> str:
    """``text`` with identifying query values, phone numbers and ID numbers blanked."""
    text = _PARAMETER.sub(lambda match: match.group(1) + REDACTED, text)
    text = _PATH_SECRET.sub(lambda match: match.group(1) + REDACTED, text)
    text = _ID_NUMBER.sub(REDACTED, text)
    return _MOBILE.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and traceback text) with ``redact``; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: redact the parts, never lose the record
            record.msg = redact(str(record.msg))
            record.args = _redact_args(record.args)
        else:
            redacted = redact(message)
            if redacted != message:
                # Formatted once here: formatters that read record.msg or record.args (the
                # access loggers') then see only the redacted text.
                record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class ExpectedErrorFilter(logging.Filter):
    """Drops the traceback from records of 4xx answers (``status_code`` 400–499, which
    ``django.request`` and ``django.security`` set) and names the status in the line:
    ``Forbidden (Permission denied): /cases/7/contacts/ [403]``. Drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if not isinstance(status, int) or not 400 <= status < 500 or not record.exc_info:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave it to the formatter as it was
            message = str(record.msg)
        record.msg, record.args = "%s [%d]", (message, status)
        record.exc_info, record.exc_text = None, None
        if record.levelno > logging.WARNING:  # django.security logs a bad request as an error
            record.levelno, record.levelname = (
                logging.WARNING,
                logging.getLevelName(logging.WARNING),
            )
        return True


def _redact_args(args: Any) -> Any:
    if isinstance(args, Mapping):
        return {key: redact(str(value)) for key, value in args.items()}
    if isinstance(args, tuple):
        return tuple(redact(str(value)) for value in args)
    return args


def redaction_install() -> None:
    """Put one ``RedactingFilter`` on the request loggers and on every root handler (once,
    however often it is called)."""
    for logger in (*(logging.getLogger(name) for name in LOGGERS),):
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def expected_errors_install() -> None:
    """Put one ``ExpectedErrorFilter`` on ``django.request`` (where Django logs a 403 or a
    400 with its exception) and on every root handler (which also catches the
    ``django.security.*`` loggers' bad requests), before the redacting filter (once)."""
    request_logger = logging.getLogger("django.request")
    if not any(isinstance(f, ExpectedErrorFilter) for f in request_logger.filters):
        request_logger.filters.insert(0, ExpectedErrorFilter())
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, ExpectedErrorFilter) for f in handler.filters):
            handler.filters.insert(0, ExpectedErrorFilter())


def logging_configure(config: dict[str, Any]) -> None:
    """``LOGGING_CONFIG``: Django's dictConfig of ``LOGGING``, then ``redaction_install`` and
    ``expected_errors_install``. Done in code rather than in ``LOGGING`` because naming
    gunicorn's loggers there would replace the handlers gunicorn gave them."""
    logging.config.dictConfig(config)
    redaction_install()
    expected_errors_install()
