"""Admin bases every app uses (read-only facts, add-only evidence, audited configuration),
the admin's way of asking for a role's capability, masking for admin pages, and the audit
log's read-only screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from arrears.core.audit import audit_record
from arrears.core.masking import mask_email, mask_phone
from arrears.core.models import AuditEntry

# Roles and their capabilities belong to the accounts app, a floor above most admin
# modules; it hands its judgement down here when its admin module loads. Until then no
# capability is granted: an admin without roles refuses rather than allows.
_capability_check: Callable[[Any, str], bool] = lambda user, capability: False  # noqa: E731


def admin_capability_check_set(check: Callable[[Any, str], bool]) -> None:
    """Install how a user's capability is judged (called by the accounts app's admin)."""
    global _capability_check
    _capability_check = check


def admin_may(request: HttpRequest, capability: str) -> bool:
    """May the signed-in user do ``capability`` (a name in ``accounts.roles``)? Superusers
    are judged by their role like everyone else: the admin is no way around the roles."""
    user = request.user
    return bool(user.is_authenticated and user.is_active and _capability_check(user, capability))


def mask_contact(value: str, kind: str = "") -> str:
    """A phone, email or postal address as admin pages show it; ``kind`` (``phone``,
    ``email``, ``address``) when known, else judged from the value's shape."""
    value = value or ""
    compact = value.replace(" ", "").replace("-", "")
    if kind == "email" or (not kind and "@" in value):
        return mask_email(value)
    if kind == "phone" or (not kind and compact.lstrip("+").isdigit()):
        return mask_phone(compact)
    # An address: its start (province, city) places it; the street and number stay hidden.
    return value[: min(6, len(value) // 3)] + "****" if value else ""


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


def _shown(value: object) -> object:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, date | datetime | Decimal):
        return str(value)
    if isinstance(value, QuerySet | list | tuple | set):
        return sorted(str(getattr(item, "pk", item)) for item in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class AuditedChangeAdmin(admin.ModelAdmin[Any]):
    """Configuration that steers money or contact (product defaults, authority limits,
    contact caps): edited here, and every add, change and deletion is on the audit chain
    with the fields' values before and after (``admin.add``, ``admin.change``,
    ``admin.delete``), in the admin's own transaction. Fields named in ``audit_hidden``
    (secrets) are listed as changed without their values."""

    audit_hidden: tuple[str, ...] = ()

    def _record(self, request: HttpRequest, action: str, obj: Any, data: dict[str, Any]) -> None:
        audit_record(
            actor=request.user if request.user.is_authenticated else None,
            action=f"admin.{action}",
            subject_type=obj._meta.label_lower,
            subject_id=obj.pk,
            data=data,
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        changed = list(form.changed_data)

        def values(source: dict[str, Any]) -> dict[str, Any]:
            return {
                name: "(hidden)" if name in self.audit_hidden else _shown(source.get(name))
                for name in changed
            }

        before = values(form.initial)
        super().save_model(request, obj, form, change)
        after = values(form.cleaned_data)
        if change and not changed:
            return
        self._record(
            request, "change" if change else "add", obj, {"before": before, "after": after}
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._record(request, "delete", obj, {"was": str(obj)})
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset.order_by("pk"):
            self._record(request, "delete", obj, {"was": str(obj)})
        super().delete_queryset(request, queryset)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log: appended by services, checked by ``arrears audit verify``."""

    list_display = ["number", "at", "actor_name", "action", "subject_type", "subject_id", "key_id"]
    list_filter = ["action", "subject_type"]
    search_fields = ["subject_id", "actor_name"]
    show_full_result_count = False
