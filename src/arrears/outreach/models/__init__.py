"""Outreach models: the outbox, and message templates."""

from arrears.outreach.models.outbox import OutboxMessage

__all__ = ["OutboxMessage"]
