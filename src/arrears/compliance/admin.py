"""Admin screens: each creditor's policy (every edit on the audit chain), holds (placed and
lifted through the services), and the contact and refusal journals (read-only, numbers
and addresses masked)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from arrears.compliance.models import CompliancePolicy, ContactAttempt, ContactRefusal, Hold
from arrears.compliance.reasons import reason_messages
from arrears.compliance.services import hold_lift, hold_place
from arrears.core.admin import AddOnlyAdmin, AuditedChangeAdmin, ReadOnlyAdmin, mask_contact

# What a channel's number is, for masking; other channels' values are judged by shape.
_KIND_OF_CHANNEL = {
    "sms": "phone",
    "call": "phone",
    "email": "email",
    "letter": "address",
    "visit": "address",
}


@admin.register(CompliancePolicy)
class CompliancePolicyAdmin(AuditedChangeAdmin):
    list_display = [
        "creditor",
        "pack",
        "time_zone",
        "conversations_per_day",
        "quiet_public_holidays",
    ]


@admin.register(Hold)
class HoldAdmin(AddOnlyAdmin):
    """Holds are placed and lifted through the services; a lifted hold stays on record."""

    list_display = ["kind", "party", "loan", "channel", "created_at", "placed_by", "lifted_at"]
    list_filter = ["kind", "lifted_at"]
    raw_id_fields = ["party", "loan"]
    fields = ["kind", "party", "loan", "channel", "reason"]
    actions = ["lift"]

    def create(self, request: HttpRequest, obj: Hold) -> Hold:
        return hold_place(
            kind=obj.kind,
            reason=obj.reason,
            party=obj.party,
            loan=obj.loan,
            channel=obj.channel,
            placed_by=request.user,
        )

    @admin.action(description=_("Lift the selected holds"))
    def lift(self, request: HttpRequest, queryset: QuerySet[Hold]) -> None:
        for hold in queryset.filter(lifted_at__isnull=True):
            hold_lift(hold=hold, lifted_by=request.user)


@admin.register(ContactAttempt)
class ContactAttemptAdmin(ReadOnlyAdmin):
    list_display = ["at", "party", "role", "channel", "outcome", "by"]
    list_filter = ["channel", "outcome"]
    exclude = ["number"]
    readonly_fields = ["number_masked"]

    @admin.display(description=_("number or address"))
    def number_masked(self, attempt: ContactAttempt) -> str:
        return mask_contact(attempt.number, _KIND_OF_CHANNEL.get(attempt.channel, ""))


@admin.register(ContactRefusal)
class ContactRefusalAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "party", "role", "channel", "at", "why", "next_allowed_at"]
    list_filter = ["channel"]

    @admin.display(description=_("reasons"))
    def why(self, refusal: ContactRefusal) -> str:
        """The stored reason codes in the reader's language."""
        return "; ".join(reason_messages(refusal.reasons))
