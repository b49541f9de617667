"""Admin screen of the outbox (read-only: the plan fills it, the outreach worker sends)."""

from __future__ import annotations

from django.contrib import admin

from arrears.core.admin import ReadOnlyAdmin
from arrears.outreach.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["due_at", "channel", "purpose", "case", "status"]
    list_filter = ["status", "channel", "purpose"]
    show_full_result_count = False


import arrears.outreach.template_admin  # noqa: E402, F401
