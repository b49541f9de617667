"""``arrears serve``: serve Arrears on http://127.0.0.1:8000 for a single machine or the demo.

A production deployment runs the WSGI application under a real server instead; this is the
zero-setup way to look at the product.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from arrears.accounts.demo_workforce import DEMO_USERNAME, PEOPLE, demo_password
from arrears.accounts.models import User


class Command(BaseCommand):
    help = "Serve Arrears (static files included) on ADDR:PORT, default 127.0.0.1:8000."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:

        url = f"http://{options['addrport']}/"
        self.stdout.write(f"Arrears is at {url}  (API docs: {url}api/v1/docs)")
        if User.objects.filter(username=DEMO_USERNAME).exists():
            # The one default password in Arrears, only on the demo's accounts
            # (ARREARS_DEMO_PASSWORD replaces it).
            password = demo_password()
            self.stdout.write(f"Demo login: {DEMO_USERNAME} / {password}")
            names = ", ".join(person.username for person in PEOPLE)
            self.stdout.write(f"Demo users at {url}login/: {names} (password {password})")
        call_command("runserver", options["addrport"], use_reloader=False, insecure_serving=True)
