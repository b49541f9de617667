"""Admin screens for creditors, products, parties, loans, payments and imports.

Amounts are shown in yuan; the loan page shows the state by replay as of today. Payments,
allocations and imports are read-only here: they change only through ingest services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from arrears.core.masking import mask_id_number
from arrears.core.money import format_yuan_grouped
from arrears.portfolio.models import (
    ContactPoint,
    Creditor,
    Installment,
    Loan,
    LoanParty,
    Party,
    Payment,
    Product,
    TapeImport,
)
from arrears.portfolio.selectors import loan_state


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Facts recorded by services: viewable, never edited by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
