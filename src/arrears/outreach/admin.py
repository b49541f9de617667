"""Admin screen of the outbox (read-only: the plan fills it, the outreach worker sends;
the address a message went to is masked)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from arrears.core.admin import ReadOnlyAdmin, mask_contact
from arrears.outreach.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["due_at", "channel", "purpose", "case", "status"]
    list_filter = ["status", "channel", "purpose"]
    show_full_result_count = False
    exclude = ["to"]
    readonly_fields = ["to_masked"]

    @admin.display(description=_("sent to"))
    def to_masked(self, message: OutboxMessage) -> str:
        kind = {"sms": "phone", "email": "email", "letter": "address"}.get(message.channel, "")
        return mask_contact(message.to, kind)


import arrears.outreach.template_admin  # noqa: E402, F401
