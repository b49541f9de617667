"""Admin screens for people, teams, collection agencies and API tokens; and the roles'
judgement handed to every admin screen (``core.admin.admin_may``), since the screens of
lower apps cannot ask the accounts app themselves."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from arrears.accounts.models import Agency, ApiToken, Team, User
from arrears.accounts.roles import role_can
from arrears.core.admin import AuditedChangeAdmin, admin_capability_check_set

admin_capability_check_set(lambda user, capability: role_can(getattr(user, "role", ""), capability))


@admin.register(User)
class ArrearsUserAdmin(AuditedChangeAdmin, UserAdmin):
    """Users with their role, team, capacity and (for managers) creditor portfolios. A role
    decides who may reveal personal data and correct loans, so every change of a user is
    on the audit chain (passwords named, never shown)."""

    audit_hidden = ("password", "password1", "password2", "usable_password")

    list_display = ["username", "first_name", "role", "team", "agency", "capacity", "is_active"]
    list_filter = ["role", "team", "agency", "is_active"]
    list_select_related = ["team", "agency"]
    filter_horizontal = ["creditors", "groups", "user_permissions"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            _("Collection work"),
            {"fields": ("role", "team", "agency", "capacity", "creditors")},
        ),
    )
    add_fieldsets = (
        *(UserAdmin.add_fieldsets or ()),
        (_("Collection work"), {"fields": ("role", "team", "agency", "capacity")}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "creditor", "buckets", "assignment_method", "is_active"]
    list_filter = ["creditor", "assignment_method", "is_active"]
    list_select_related = ["creditor"]


@admin.register(Agency)
class AgencyAdmin(AuditedChangeAdmin):
    """Outside collection agencies (委外机构): the organisations agency collectors belong to
    (a user's ``agency``). Contracts and placements are the agencies app's (``arrears
    agency``); every change here is on the audit chain."""

    list_display = ["code", "name", "licence_number", "contact_name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["token_hash", "last_used_at", "created_at"]
