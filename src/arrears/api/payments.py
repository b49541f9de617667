"""``POST /api/v1/payments``: money that reached the lender, posted to the ledger at once."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["payments"])
