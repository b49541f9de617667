"""Manual reassignment of a case (改派): a lead or manager moves a case to another collector
or back to the team pool, with a reason, audited."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.accounts.roles import WORKERS, role_can
from arrears.cases.choices import AssignmentRule, CaseStatus
from arrears.cases.models import CaseAssignment, CollectionCase
from arrears.cases.scoping import cases_visible_to
from arrears.core.audit import audit_record
from arrears.core.errors import InvalidInput, NotFound


def _manages_creditor(user: User, creditor_id: int) -> bool:
    return user.role == Role.MANAGER and user.creditors.filter(pk=creditor_id).exists()


@transaction.atomic
def case_reassign(
    *, case: CollectionCase, assignee: User | None, by: User, reason: str, on: date
) -> CaseAssignment:
    """Give ``case`` to ``assignee`` (``None``: back to its team's pool) on business date
    ``on``, because of ``reason``; returns the history row.

    Anyone allowed to reassign may pick a member of the case's team; only a manager of the
    case's creditor may pick someone from another team (e.g. to lend a case to the field
    team). A manual choice may go beyond the person's capacity: the lead decided. The case
    keeps its team, so the daily assignment does not undo the choice.
    """
    if not role_can(by.role, "case_reassign"):
        raise PermissionDenied(_("your role may not reassign cases"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("say why the case is reassigned"), field="reason")
    # Locked so assignment or another lead cannot change the case between check and write.
    locked = (
        cases_visible_to(by).select_for_update().filter(pk=case.pk).first()
        if case.pk is not None
        else None
    )
    if locked is None:
        raise NotFound(_("no such case"))
    if locked.status != CaseStatus.OPEN:
        raise InvalidInput(_("the case is closed; only open cases are reassigned"), field="case")
    previous = locked.assignee_id
    if assignee is None:
        if previous is None:
            raise InvalidInput(_("the case is already in the team pool"), field="assignee")
    else:
        if not assignee.is_active or assignee.role not in WORKERS:
            raise InvalidInput(
                _("cases go to active collectors, field agents or team leads"), field="assignee"
            )
        if assignee.pk == previous:
            raise InvalidInput(_("the case is already assigned to them"), field="assignee")
        in_team = locked.team_id is not None and assignee.team_id == locked.team_id
        if not in_team and not _manages_creditor(by, locked.creditor_id):
            raise InvalidInput(
                _("only a manager of the creditor may give a case to someone outside its team"),
                field="assignee",
            )
    locked.assignee = assignee
    locked.assigned_on = on if assignee is not None else None
    locked.save(update_fields=["assignee", "assigned_on", "updated_at"])
    entry = CaseAssignment.objects.create(
        case=locked,
        team_id=locked.team_id,
        assignee=assignee,
        previous_assignee_id=previous,
        rule=AssignmentRule.MANUAL if assignee is not None else AssignmentRule.RELEASED,
        reason=reason,
        by=by,
        on=on,
        at=timezone.now(),
    )
    audit_record(
        actor=by,
        action="case.reassign",
        subject_type="case",
        subject_id=locked.pk,
        data={
            "from": previous,
            "to": assignee.pk if assignee is not None else None,
            "team": locked.team_id,
            "reason": reason,
            "on": on.isoformat(),
        },
    )
    case.assignee_id, case.assigned_on = locked.assignee_id, locked.assigned_on
    return entry
