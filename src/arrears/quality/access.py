"""Who may touch a call's recordings and reviews: the capability, then the case's scope.

A call on a case outside the person's scope is reported as not found (``NotFound``), so its
existence does not leak; ``user=None`` is the server's operator (the command line, the demo).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.cases.models import Activity
from arrears.cases.scoping import cases_visible_to
from arrears.core.errors import NotFound


def call_for(*, user: User | None, activity_id: int, capability: str) -> Activity:
    """The activity ``activity_id`` if ``user`` may act on it with ``capability``:
    ``PermissionDenied`` naming the refusal when the role may not, ``NotFound`` when the
    activity does not exist or its case is outside the scope."""
    if user is not None and (not user.is_active or not role_can(user.role, capability)):
        raise PermissionDenied(refusal(user.role, capability))
    found = Activity.objects.select_related("case", "by").filter(pk=activity_id)
    if user is not None:
        found = found.filter(case__in=cases_visible_to(user))
    activity = found.first()
    if activity is None:
        raise NotFound(_("contact %(id)s not found") % {"id": activity_id})
    return activity
