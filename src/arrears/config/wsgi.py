"""WSGI entry point for production servers."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from arrears.config.environment import PROCESS_ENV, WEB_PROCESS

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.config.settings")
# Before the settings are read: a web process's database sessions are set for pages
# (``environment.database_from_url``).
os.environ.setdefault(PROCESS_ENV, WEB_PROCESS)
application = get_wsgi_application()
