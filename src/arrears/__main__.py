"""The ``arrears`` console script: Django's command runner with Arrears' settings."""

from __future__ import annotations

import logging
import os
import sys

logger = logging.getLogger("arrears")


def main() -> None:
    """Run a management command (``arrears migrate``, ``arrears ingest loans FILE`` …)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.config.settings")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(sys.argv)
    except BrokenPipeError:
        # The reader went away (`arrears insights vintages | head`): what it wanted was
        # printed, so no traceback. Point stdout at /dev/null so the interpreter's own
        # flush at exit does not raise again (the Python docs' advice for SIGPIPE).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except DatabaseError as error:
        # A command run before `arrears migrate`, or with the database down, would end in
        # a traceback; the user gets one line that says what to do.
        logger.info("command stopped by the database", exc_info=True)
        sys.stderr.write(f"arrears: {database_problem(error)}\n")
        sys.exit(2)


def database_problem(error: BaseException) -> str:
    """One line, in the user's language, for a database error that ended a command."""
    from django.utils.translation import gettext as _

    text = str(error).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    missing = _missing_table(text)
    if missing:
        return _(
            "the database is not set up (it has no table %(table)s): run `arrears migrate`"
        ) % {"table": missing}
    if "connection" in first.lower() and ("failed" in first or "refused" in text):
        return _("cannot reach the database (%(reason)s)") % {"reason": first[:300]}
    return _(
        "the database refused the command (%(reason)s); ARREARS_LOG_LEVEL=INFO shows where"
    ) % {"reason": first[:300]}


def _missing_table(text: str) -> str | None:
    """The table named by SQLite's "no such table: x" or PostgreSQL's
    'relation "x" does not exist'."""
    if "no such table: " in text:
        return text.split("no such table: ", 1)[1].split()[0]
    if text.startswith('relation "') and "does not exist" in text:
        return text.split('"', 2)[1]
    return None


if __name__ == "__main__":
    main()
