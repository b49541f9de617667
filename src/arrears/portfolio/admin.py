"""Admin screens for creditors, products, parties, loans, payments and imports.

Money changes only through services: payments, allocations and imports are read-only here
(the ingest services write them); a loan's booked terms are read-only and corrected through
``loan_correct`` (``loan_admin``); parties' identities and contact points are masked and
revealed through an audited action (``party_admin``). Product defaults are edited here (they
are copied into loans when a tape books them, so an edit never rewrites a booked loan), and
every such edit is on the audit chain.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from arrears.core.admin import AddOnlyAdmin, AuditedChangeAdmin, ReadOnlyAdmin
from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan_grouped
from arrears.portfolio.models import Creditor, LimitationEvent, Payment, Product, TapeImport
from arrears.portfolio.services import limitation_event_check, limitation_event_record


@admin.register(Creditor)
class CreditorAdmin(admin.ModelAdmin[Creditor]):
    list_display = ["name", "kind", "lender_type", "created_at"]
    search_fields = ["name"]


@admin.register(Product)
class ProductAdmin(AuditedChangeAdmin):
    list_display = [
        "code",
        "name",
        "creditor",
        "default_annual_rate",
        "penalty_rate_multiplier",
        "grace_days",
        "day_count",
        "allocation_order",
    ]
    list_filter = ["creditor"]
    list_select_related = ["creditor"]
    search_fields = ["code", "name"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["payment_id", "loan", "paid_on", "amount_yuan", "channel", "creditor"]
    list_filter = ["creditor", "channel"]
    list_select_related = ["loan", "creditor"]
    search_fields = ["=payment_id", "=loan__loan_id"]
    date_hierarchy = "paid_on"

    @admin.display(description=_("amount"), ordering="amount")
    def amount_yuan(self, payment: Payment) -> str:
        return format_yuan_grouped(payment.amount)


@admin.register(TapeImport)
class TapeImportAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "file_name",
        "creditor",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "seconds",
    ]
    list_filter = ["kind", "creditor"]
    list_select_related = ["creditor"]


class LimitationEventForm(forms.ModelForm[LimitationEvent]):
    """Checks an event with the service's rules, so a mistake shows on its field."""

    class Meta:
        model = LimitationEvent
        fields = ["loan", "kind", "occurred_on", "evidence", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(name) for name in ("loan", "kind", "occurred_on")):
            try:
                limitation_event_check(
                    loan=data["loan"],
                    kind=data["kind"],
                    occurred_on=data["occurred_on"],
                    evidence=data.get("evidence", ""),
                )
            except InvalidInput as exc:
                self.add_error(exc.field if exc.field in self.fields else None, str(exc))
        return data


@admin.register(LimitationEvent)
class LimitationEventAdmin(AddOnlyAdmin):
    """Events are evidence: added through the service, never changed or deleted here."""

    list_display = ["loan", "kind", "occurred_on", "evidence", "recorded_by", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["loan", "recorded_by"]
    search_fields = ["=loan__loan_id", "evidence"]
    date_hierarchy = "occurred_on"
    fields = ["loan", "kind", "occurred_on", "evidence", "note"]
    raw_id_fields = ["loan"]
    form = LimitationEventForm

    def create(self, request: HttpRequest, obj: LimitationEvent) -> LimitationEvent:
        # The service validates, stamps the loan for the next cycle and records who.
        return limitation_event_record(
            loan=obj.loan,
            kind=obj.kind,
            occurred_on=obj.occurred_on,
            evidence=obj.evidence,
            note=obj.note,
            recorded_by=request.user,
        )


# The loan and party screens, each in its own module.
import arrears.portfolio.loan_admin  # noqa: E402
import arrears.portfolio.party_admin  # noqa: E402, F401
