"""Outreach models: the outbox, and message templates."""

from arrears.outreach.models.message_templates import MessageTemplate
from arrears.outreach.models.outbox import OutboxMessage

__all__ = ["MessageTemplate", "OutboxMessage"]
