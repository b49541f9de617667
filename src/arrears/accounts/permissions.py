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

from arrears.core.frozen import FrozenQuery

# Asked on every page: compiled once per process (``core.frozen``).
_PERMISSIONS_OF = FrozenQuery(
    lambda user_id: Permission.objects.filter(
        Q(user__id=user_id) | Q(group__user__id=user_id)
    ).values_list("content_type__app_label", "codename")
)
_EVERY_PERMISSION = FrozenQuery(
    lambda: Permission.objects.values_list("content_type__app_label", "codename")
)


class ModelPermissionsBackend(ModelBackend):
    """``ModelBackend`` whose ``get_all_permissions`` is one query: the permissions given
    to the user directly or through a group (every permission for an active superuser)."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            found = (
                _EVERY_PERMISSION.list()
                if user_obj.is_superuser
                else _PERMISSIONS_OF.list(user_id=user_obj.pk)
            )
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in found}
        return user_obj._perm_cache
