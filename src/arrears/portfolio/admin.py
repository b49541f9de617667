"""Admin screens for creditors, products, parties, loans, payments and imports.

Amounts are shown in yuan; the loan page shows the state by replay as of today. Payments,
allocations and imports are read-only here: they change only through ingest services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from arrears.core.admin import AddOnlyAdmin, ReadOnlyAdmin
from arrears.core.errors import InvalidInput
from arrears.core.masking import mask_id_number
from arrears.core.money import format_yuan_grouped
from arrears.portfolio.models import (
    ContactPoint,
    Creditor,
    Installment,
    LimitationEvent,
    Loan,
    LoanParty,
    Party,
    Payment,
    Product,
    TapeImport,
)
from arrears.portfolio.selectors import loan_state
from arrears.portfolio.services import limitation_event_check, limitation_event_record


@admin.register(Creditor)
class CreditorAdmin(admin.ModelAdmin[Creditor]):
    list_display = ["name", "kind", "created_at"]
    search_fields = ["name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
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


class ContactPointInline(admin.TabularInline[ContactPoint, Party]):
    model = ContactPoint
    extra = 0
    fields = ["kind", "value", "status", "is_primary", "source"]


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin[Party]):
    list_display = ["name", "kind", "id_type", "masked_id_number", "creditor"]
    list_filter = ["kind", "creditor"]
    list_select_related = ["creditor"]
    search_fields = ["name", "=id_number", "contact_points__value"]
    inlines = [ContactPointInline]

    @admin.display(description=_("ID number"))
    def masked_id_number(self, party: Party) -> str:
        return mask_id_number(party.id_number)


class LoanPartyInline(admin.TabularInline[LoanParty, Loan]):
    model = LoanParty
    extra = 0
    autocomplete_fields = ["party"]


class InstallmentInline(admin.TabularInline[Installment, Loan]):
    model = Installment
    extra = 0
    can_delete = False
    fields = ["seq", "due_on", "principal", "interest", "fees"]
    readonly_fields = ["seq", "due_on", "principal", "interest", "fees"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin[Loan]):
    list_display = [
        "loan_id",
        "creditor",
        "product",
        "principal_yuan",
        "annual_rate",
        "term_months",
        "repayment_method",
        "disbursed_on",
        "status",
    ]
    list_filter = ["creditor", "product", "repayment_method", "guarantee_type", "status"]
    list_select_related = ["creditor", "product"]
    search_fields = ["=loan_id", "parties__name"]
    date_hierarchy = "disbursed_on"
    readonly_fields = ["state_today", "created_at", "updated_at"]
    inlines = [LoanPartyInline, InstallmentInline]

    @admin.display(description=_("principal"), ordering="principal")
    def principal_yuan(self, loan: Loan) -> str:
        return format_yuan_grouped(loan.principal)

    @admin.display(description=_("state today"))
    def state_today(self, loan: Loan) -> str:
        if loan.pk is None:
            return "-"
        state = loan_state(loan, as_of=timezone.localdate())
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    item.seq,
                    item.due_on,
                    format_yuan_grouped(item.due.total),
                    format_yuan_grouped(item.paid.total),
                    format_yuan_grouped(item.outstanding.total),
                )
                for item in state.installments
            ),
        )
        return format_html(
            "<p>DPD {} ({}) · overdue {} · penalty accrued {} · credit {}</p>"
            "<table><tr><th>#</th><th>due on</th><th>due</th><th>paid</th><th>outstanding</th>"
            "</tr>{}</table>",
            state.dpd,
            state.bucket,
            format_yuan_grouped(state.overdue.total),
            format_yuan_grouped(state.penalty_accrued),
            format_yuan_grouped(state.credit_balance),
            rows,
        )


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
