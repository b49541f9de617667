"""The legal desk's records in the admin: read-only, since every change goes through
``legal.services`` (which audits it, restarts limitation and places or lifts holds)."""

from __future__ import annotations

from django.contrib import admin

from arrears.core.admin import ReadOnlyAdmin
from arrears.legal.models import EvidenceBundle, LegalDocument, Matter, MatterCost, MatterEvent


@admin.register(Matter)
class MatterAdmin(ReadOnlyAdmin):
    """Legal matters (the legal desk opens and moves them)."""

    list_display = ["id", "kind", "loan", "court", "case_number", "status", "outcome", "opened_on"]
    list_filter = ["status", "kind", "outcome"]
    search_fields = ["case_number", "court", "loan__loan_id"]
    show_full_result_count = False


@admin.register(MatterEvent)
class MatterEventAdmin(ReadOnlyAdmin):
    """What happened to each matter (evidence: never edited)."""

    list_display = ["occurred_on", "matter", "kind", "amount", "recorded_by"]
    list_filter = ["kind"]
    show_full_result_count = False


@admin.register(MatterCost)
class MatterCostAdmin(ReadOnlyAdmin):
    """Money spent on matters (amounts in fen)."""

    list_display = ["incurred_on", "matter", "kind", "amount", "recoverable"]
    list_filter = ["kind", "recoverable"]
    show_full_result_count = False


@admin.register(LegalDocument)
class LegalDocumentAdmin(ReadOnlyAdmin):
    """Court papers drafted, with each file's SHA-256."""

    list_display = ["created_at", "loan", "kind", "format", "as_of", "sha256"]
    list_filter = ["kind", "format"]
    show_full_result_count = False


@admin.register(EvidenceBundle)
class EvidenceBundleAdmin(ReadOnlyAdmin):
    """Evidence bundles made, with the zip's and the manifest's SHA-256."""

    list_display = ["created_at", "loan", "files", "size", "sha256", "manifest_sha256"]
    show_full_result_count = False
