"""The base of Arrears' own commands that read or write the book.

They start without Django's system checks. The checks (models, URL configuration — which
imports every view, the web API and its schema library —, Arrears' own deployment checks)
cost about half a second at every start: `arrears legal fees` took 1.15 s with them and
0.62 s without, and a README's worth of commands in a row paid it fifty times. They belong
where a configuration is taken into service: `arrears check` (and `check --deploy`),
`arrears migrate` and `arrears serve` run them and stop on an error, as before; what a
check guards at run time is guarded there too (a development channel under production
settings refuses to be built, ``outreach.channels``).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand


class DataCommand(BaseCommand):
    """A management command that starts without Django's system checks (see above)."""

    requires_system_checks: list[str] = []
