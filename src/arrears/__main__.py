"""The ``arrears`` console script: Django's command runner with Arrears' settings."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a management command (``arrears migrate``, ``arrears ingest loans FILE`` …)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
