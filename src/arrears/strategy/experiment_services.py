"""Writes of the strategy app on experiments: promoting the challenger.

Promotion makes the challenger's strategy the champion's: the challenger playbook's current
definition — its stages and actions, what the experiment tested — is published
(``services.playbook_publish``) as the next version of the champion playbook, the experiment
ends, and the act is audited — all in one transaction.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.accounts.roles import refusal, role_can
from arrears.core.audit import audit_record
from arrears.core.errors import Forbidden, InvalidInput, NotFound
from arrears.strategy.definition import parse
from arrears.strategy.models import Experiment, PlaybookVersion
from arrears.strategy.services import playbook_publish


def _may_promote(by: Any) -> None:
    if by is None or not by.is_active:
        raise Forbidden(_("an active user must promote the challenger"))
    if not (by.is_superuser or role_can(by.role, "experiment_promote")):
        raise Forbidden(refusal(by.role, "experiment_promote"))


@transaction.atomic
def experiment_promote(name: str, *, by: Any, note: str = "") -> PlaybookVersion:
    """Publish the challenger playbook's current definition as the next version of the
    champion playbook, end the experiment (``active = False``: new cases are no longer
    split) and write the ``experiment.promote`` audit entry; returns the champion's new
    version.

    What is published is what the experiment tested: the challenger's stages and their
    actions, on the champion's cases — so the champion keeps its name, title, description,
    priority and segment (the split sent champion cases to the challenger whatever the
    challenger's own segment says). Cases already in either arm keep their playbook;
    open cases of the champion follow the new version from the next cycle day, as after any
    publication. ``by`` is the acting user (a manager or an administrator). An unknown or
    already ended experiment, or a challenger without a version, raises ``NotFound`` or
    ``InvalidInput``; nothing is written then."""
    _may_promote(by)
    experiment = (
        Experiment.objects.select_for_update()
        .select_related("champion", "challenger")
        .filter(name=name)
        .first()
    )
    if experiment is None:
        raise NotFound(_("no experiment named %(name)s") % {"name": repr(name)})
    if not experiment.active:
        raise InvalidInput(
            _("experiment %(name)s has ended already; its challenger cannot be promoted again")
            % {"name": experiment.name},
            field="experiment",
        )
    champion, challenger = experiment.champion, experiment.challenger
    if not challenger.version or not champion.version:
        raise InvalidInput(
            _("playbook %(name)s has no published version")
            % {"name": challenger.name if not challenger.version else champion.name},
            field="experiment",
        )
    source = PlaybookVersion.objects.get(playbook=challenger, number=challenger.version)
    current = PlaybookVersion.objects.get(playbook=champion, number=champion.version)
    # The experiment tried the challenger's stages on the champion's cases (the split
    # overrides the challenger's own segment), so that is what is promoted.
    definition = dataclasses.replace(
        parse(current.definition), stages=parse(source.definition).stages
    )
    previous = champion.version
    version = playbook_publish(
        definition=definition,
        note=note.strip()
        or f"promoted from {challenger.name} v{source.number} (experiment {experiment.name})",
        created_by=by,
    )
    experiment.active = False
    experiment.save(update_fields=["active", "updated_at"])
    audit_record(
        actor=by,
        action="experiment.promote",
        subject_type="experiment",
        subject_id=experiment.pk,
        data={
            "experiment": experiment.name,
            "champion": champion.name,
            "previous_version": previous,
            "version": version.number,
            "challenger": challenger.name,
            "challenger_version": source.number,
            "note": note.strip(),
        },
    )
    return version
