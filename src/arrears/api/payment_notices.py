"""``POST /api/v1/payments/notify/<provider>``: payment providers' signed notices."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["payments"])
