"""Agency contracts and placements in the admin: read-only, since contracts are recorded
(``arrears agency contract``) and cases placed and recalled (the case page, ``arrears agency
place|recall``, the daily cycle) through ``agencies.services``, which audits each act."""

from __future__ import annotations

from django.contrib import admin

from arrears.agencies.models import AgencyContract, AgencyStatement, CommissionRate, Placement
from arrears.core.admin import ReadOnlyAdmin


class CommissionRateInline(admin.TabularInline[CommissionRate, AgencyContract]):
    """A contract's price lines (rates in basis points)."""

    model = CommissionRate
    extra = 0
    can_delete = False
    fields = ["bucket", "from_amount", "rate_bp"]
    readonly_fields = ["bucket", "from_amount", "rate_bp"]
    max_num = 0


@admin.register(AgencyContract)
class AgencyContractAdmin(ReadOnlyAdmin):
    """Contracts between creditors and agencies."""

    list_display = ["reference", "agency", "creditor", "valid_from", "valid_to", "basis"]
    list_filter = ["agency", "basis"]
    list_select_related = ["agency", "creditor"]
    inlines = [CommissionRateInline]


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    """Cases placed with agencies, with their balance at placement and how they ended."""

    list_display = ["case", "agency", "placed_on", "ends_on", "status", "recall_reason"]
    list_filter = ["status", "agency", "recall_reason"]
    list_select_related = ["agency"]
    show_full_result_count = False


@admin.register(AgencyStatement)
class AgencyStatementAdmin(ReadOnlyAdmin):
    """Commission statements as issued (frozen, with their SHA-256)."""

    list_display = ["agency", "month", "recovered", "commission", "sha256", "created_at"]
    list_filter = ["agency"]
    list_select_related = ["agency"]
