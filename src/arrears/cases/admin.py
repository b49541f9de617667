"""Admin screens for collection cases (read-only: the daily cycle maintains them), the
evidence recorded on them (read-only, contact points masked) and the authority matrix
(edited here, every edit on the audit chain)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from arrears.cases.models import (
    Activity,
    AuthorityLimit,
    CaseAssignment,
    CaseBucketSpell,
    CollectionCase,
    Promise,
    RepaymentPlan,
    Settlement,
    WorkItem,
)
from arrears.core.admin import AuditedChangeAdmin, ReadOnlyAdmin, mask_contact


class SpellInline(admin.TabularInline[CaseBucketSpell, CollectionCase]):
    model = CaseBucketSpell
    extra = 0
    can_delete = False
    fields = readonly_fields = ("bucket", "entered_on", "left_on")


@admin.register(CollectionCase)
class CollectionCaseAdmin(admin.ModelAdmin[CollectionCase]):
    list_display = [
        "loan",
        "creditor",
        "status",
        "opened_on",
        "entry_dpd",
        "current_dpd",
        "bucket",
        "worst_dpd",
        "closed_on",
        "close_reason",
    ]
    list_filter = ["status", "bucket", "creditor"]
    search_fields = ["loan__loan_id"]
    list_select_related = ["loan", "creditor"]
    inlines = [SpellInline]
    # The columns only: ``position`` is a join path for the queue, not something to show.
    readonly_fields = [f.name for f in CollectionCase._meta.concrete_fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkItem)
class WorkItemAdmin(ReadOnlyAdmin):
    """Work queues (read-only here; the workbench is where people work them)."""

    list_display = ["due_at", "queue", "type", "case", "title", "status"]
    list_filter = ["status", "queue", "type"]
    show_full_result_count = False


@admin.register(AuthorityLimit)
class AuthorityLimitAdmin(AuditedChangeAdmin):
    """The authority matrix: what each role may grant on its own (amounts in fen)."""

    list_display = [
        "role",
        "plan_max_amount",
        "plan_max_installments",
        "waiver_max_total",
        "waiver_max_principal",
    ]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    """Contacts recorded on cases (evidence: never edited)."""

    list_display = ["at", "case", "channel", "party_reached", "outcome", "reason", "by"]
    list_filter = ["channel", "outcome", "reason"]
    show_full_result_count = False
    # The contact point's name is its value: shown masked (the workbench reveals it).
    exclude = ["contact_point"]
    readonly_fields = ["contact_point_masked"]

    @admin.display(description=_("contact point"))
    def contact_point_masked(self, activity: Activity) -> str:
        point = activity.contact_point
        return mask_contact(point.value, point.kind) if point is not None else "-"


@admin.register(Promise)
class PromiseAdmin(ReadOnlyAdmin):
    list_display = ["case", "amount", "made_on", "due_on", "status", "paid", "by"]
    list_filter = ["status"]
    show_full_result_count = False


@admin.register(RepaymentPlan)
class RepaymentPlanAdmin(ReadOnlyAdmin):
    list_display = ["case", "total", "down_payment", "installments", "start_on", "status"]
    list_filter = ["status"]
    show_full_result_count = False


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ["case", "total_waived", "pay_amount", "pay_by", "status", "made_on"]
    list_filter = ["status"]
    show_full_result_count = False


@admin.register(CaseAssignment)
class CaseAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["at", "case", "team", "assignee", "rule", "by"]
    list_filter = ["rule", "team"]
    show_full_result_count = False
