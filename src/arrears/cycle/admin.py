"""Admin screens for cycle runs (read-only: runs change only through ``arrears cycle``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from arrears.cycle.models import CyclePartition, CycleRun, CycleStep


class _ReadOnly(admin.ModelAdmin[CycleRun]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StepInline(admin.TabularInline[CycleStep, CycleRun]):
    model = CycleStep
    extra = 0
    can_delete = False
    fields = readonly_fields = ("partition", "name", "rows", "seconds", "finished_at")


class PartitionInline(admin.TabularInline[CyclePartition, CycleRun]):
    model = CyclePartition
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "number",
        "first_loan",
        "last_loan",
        "status",
        "claimed_by",
        "finished_at",
        "error",
    )


@admin.register(CycleRun)
class CycleRunAdmin(_ReadOnly):
    list_display = [
        "business_date",
        "status",
        "loans",
        "overdue",
        "cases_opened",
        "cases_closed",
        "seconds",
        "attempts",
        "workers",
    ]
    list_filter = ["status"]
    inlines = [PartitionInline, StepInline]
