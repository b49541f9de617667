"""Django's model permissions read in one query instead of two.

Every workbench page asks one model permission (the menu's link to the cycle page), and
Django's ``ModelBackend`` answers it with two queries: the user's own permissions, then
their groups'. Here both come from one query, cached on the user for the request as
Django caches them; what is granted, and to whom, is unchanged.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class ModelPermissionsBackend(ModelBackend):
    """``ModelBackend`` whose ``get_all_permissions`` is one query: the permissions given
    to the user directly or through a group (every permission for an active superuser)."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            found = Permission.objects.all()
            if not user_obj.is_superuser:
                found = found.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app}.{codename}"
                for app, codename in found.values_list("content_type__app_label", "codename")
            }
        return user_obj._perm_cache
