"""``arrears token create USERNAME [--name NAME] [--scope SCOPE ...]``: issue an API token
for scripts, optionally with scopes that add rights (``--scope payments:write``)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from arrears.accounts.models import API_SCOPES, User
from arrears.accounts.services import api_token_create
from arrears.core.commands import DataCommand


class Command(DataCommand):
    help = "Issue an API bearer token for a user (printed once, stored only as a hash)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="what the token is for")
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            metavar="SCOPE",
            help="a right the token adds (repeatable); known: " + ", ".join(sorted(API_SCOPES)),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user called '{options['username']}'", returncode=2)
        scopes = sorted(set(options["scope"]))
        unknown = [scope for scope in scopes if scope not in API_SCOPES]
        if unknown:
            known = "; ".join(f"{name} ({what})" for name, what in sorted(API_SCOPES.items()))
            raise CommandError(
                f"unknown scope {', '.join(unknown)}; the known scopes are: {known}",
                returncode=2,
            )
        # One transaction: a failure while adding the scopes leaves no token behind.
        with transaction.atomic():
            token, raw = api_token_create(user=user, name=options["name"])
            if scopes:
                token.scopes = " ".join(scopes)
                token.save(update_fields=["scopes", "updated_at"])
        self.stdout.write(raw)
