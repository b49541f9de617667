"""Template helpers of the workbench: what the signed-in person's role may do."""

from __future__ import annotations

from typing import Any

from django import template

from arrears.accounts.roles import role_can
from arrears.core.money import format_yuan_grouped

register = template.Library()


@register.filter
def can(user: Any, capability: str) -> bool:
    """``{% if request.user|can:"queue" %}``: may this user's role do ``capability``?
    Menus and buttons only; every view checks again."""
    role = getattr(user, "role", "")
    return bool(role) and role_can(str(role), capability)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ revealed|get_item:point.id }}``: a dict's value for a computed key, or ''."""
    if not isinstance(mapping, dict):
        return ""
    return mapping.get(key, mapping.get(str(key), ""))


@register.filter
def yuan(fen: Any) -> str:
    """Integer fen shown as grouped yuan: ``{{ 1234567|yuan }}`` → 12,345.67."""
    try:
        return format_yuan_grouped(int(fen))
    except (TypeError, ValueError):
        return ""
