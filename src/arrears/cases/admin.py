"""Admin screens for collection cases (read-only: the daily cycle maintains them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from arrears.cases.models import CaseBucketSpell, CollectionCase, WorkItem
from arrears.portfolio.admin import ReadOnlyAdmin


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
    readonly_fields = [f.name for f in CollectionCase._meta.fields]

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
