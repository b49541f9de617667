"""``arrears api_keys_purge``: delete stored Idempotency-Key answers past their TTL."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from arrears.api.idempotency import idempotency_keys_purge, key_ttl
from arrears.core.commands import DataCommand


class Command(DataCommand):
    help = "Delete the stored answers of Idempotency-Keys older than the TTL (24 h by default)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = idempotency_keys_purge(before=timezone.now() - key_ttl())
        self.stdout.write(f"{deleted} expired idempotency keys deleted")
