"""The ``arrears`` console script: Django's command runner with Arrears' settings."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a management command (``arrears migrate``, ``arrears ingest loans FILE`` …)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.config.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except BrokenPipeError:
        # The reader went away (`arrears insights vintages | head`): what it wanted was
        # printed, so no traceback. Point stdout at /dev/null so the interpreter's own
        # flush at exit does not raise again (the Python docs' advice for SIGPIPE).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":
    main()
