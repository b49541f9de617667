"""Admin screens for cycle runs (read-only: runs change only through ``arrears cycle``)."""

from __future__ import annotations

from django.contrib import admin

from arrears.core.admin import ReadOnlyAdmin
from arrears.cycle.models import CyclePartition, CycleRun, CycleStep


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
class CycleRunAdmin(ReadOnlyAdmin):
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
