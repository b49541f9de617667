"""Admin bases every app uses (read-only facts, add-only evidence) and the audit log's
read-only screen."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from arrears.core.models import AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Facts recorded by services: viewable, never edited by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AddOnlyAdmin(admin.ModelAdmin[Any]):
    """Records that are evidence: added through a service, then never changed or deleted.

    Subclasses say which service creates the row (``create``); the change page only shows
    it, and nothing here deletes it.
    """

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.pk = self.create(request, obj).pk

    def create(self, request: HttpRequest, obj: Any) -> Any:
        raise NotImplementedError


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log: appended by services, checked by ``arrears audit verify``."""

    list_display = ["number", "at", "actor_name", "action", "subject_type", "subject_id"]
    list_filter = ["action", "subject_type"]
    search_fields = ["subject_id", "actor_name"]
    show_full_result_count = False
