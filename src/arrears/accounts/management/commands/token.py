"""``arrears token create USERNAME [--name NAME]``: issue an API token for scripts."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from arrears.accounts.models import User
from arrears.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Issue an API bearer token for a user (printed once, stored only as a hash)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user called '{options['username']}'", returncode=2)
        _, raw = api_token_create(user=user, name=options["name"])
        self.stdout.write(raw)
