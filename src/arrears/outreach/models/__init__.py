"""Outreach models: the outbox, message templates, and the installation's key."""

from arrears.outreach.models.installation import Installation
from arrears.outreach.models.message_templates import MessageTemplate
from arrears.outreach.models.outbox import OutboxMessage

__all__ = ["Installation", "MessageTemplate", "OutboxMessage"]
