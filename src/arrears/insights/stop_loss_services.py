"""The one write of the stop-loss list: keeping a recommended case, with the reason, for
the week (an audit entry the list reads back)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.cases.models import CollectionCase
from arrears.core.audit import audit_record
from arrears.core.errors import Forbidden, InvalidInput
from arrears.insights.stop_loss import KEEP_ACTION, week_of


def stop_loss_keep(*, case: CollectionCase, by: User, week: date, reason: str) -> None:
    """Record that ``by`` keeps collecting ``case`` this ``week`` despite the list, and why."""
    if not role_can(by.role, "stop_loss_view"):
        raise Forbidden(refusal(by.role, "stop_loss_view"))
    if not reason.strip():
        raise InvalidInput(_("say why the case is worth collecting"), field="reason")
    audit_record(
        actor=by,
        action=KEEP_ACTION,
        subject_type="case",
        subject_id=case.pk,
        data={"week": week_of(week).isoformat(), "reason": reason.strip()},
    )
