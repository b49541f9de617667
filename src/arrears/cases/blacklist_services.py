"""The party blacklist (黑名单): proposing a party, approving or rejecting (never by the
proposer), delisting with a reason, and the export for the credit and guarantee side.

Each listing is one ``portfolio.BlacklistEntry`` row that is never deleted: a party listed
again gets a new row, so the history stays whole. Every write is audited. The export masks
ID numbers unless the exporter's role may reveal them and asked to; that reveal is audited.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.cases.models import CollectionCase
from arrears.core.audit import audit_record
from arrears.core.errors import Forbidden, InvalidInput
from arrears.core.masking import mask_id_number
from arrears.portfolio.models import BlacklistEntry, BlacklistStatus, LoanParty, Party


def _require(user: User, capability: str) -> None:
    if not role_can(user.role, capability):
        raise Forbidden(refusal(user.role, capability))


def _audit(by: User, action: str, entry: BlacklistEntry, **data: Any) -> None:
    audit_record(
        actor=by,
        action=action,
        subject_type="blacklist",
        subject_id=entry.pk,
        data={"party": entry.party_id, **data},
    )


@transaction.atomic
def blacklist_propose(*, party: Party, by: User, reason: str) -> BlacklistEntry:
    """Propose ``party`` for the blacklist; refused without a reason or when the party is
    already proposed or listed."""
    _require(by, "blacklist_propose")
    if not reason.strip():
        raise InvalidInput(_("say why the party should be blacklisted"), field="reason")
    try:
        with transaction.atomic():
            entry = BlacklistEntry.objects.create(
                party=party, reason=reason.strip(), proposed_by=by, proposed_at=timezone.now()
            )
    except IntegrityError as error:
        raise InvalidInput(
            _("%(name)s is already proposed for or on the blacklist") % {"name": party.name},
            field="party",
        ) from error
    _audit(by, "blacklist.propose", entry, reason=entry.reason)
    return entry


@transaction.atomic
def blacklist_decide(
    *, entry: BlacklistEntry, by: User, approve: bool, note: str = ""
) -> BlacklistEntry:
    """List the proposed party (approve) or reject the proposal; never by the proposer; a
    rejection says why."""
    _require(by, "blacklist_decide")
    entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != BlacklistStatus.PENDING:
        raise InvalidInput(_("the proposal is not waiting for a decision"), field="entry")
    if entry.proposed_by_id == by.pk:
        raise Forbidden(_("you proposed this listing: someone else must decide it"))
    if not approve and not note.strip():
        raise InvalidInput(_("say why the listing is rejected"), field="note")
    entry.status = BlacklistStatus.LISTED if approve else BlacklistStatus.REJECTED
    entry.decided_by, entry.decided_at, entry.decision_note = by, timezone.now(), note.strip()
    entry.save()
    _audit(by, "blacklist.list" if approve else "blacklist.reject", entry, note=note.strip())
    return entry


@transaction.atomic
def blacklist_delist(*, entry: BlacklistEntry, by: User, reason: str) -> BlacklistEntry:
    """Take a listed party off the blacklist, saying why; the entry is kept as delisted."""
    _require(by, "blacklist_decide")
    entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != BlacklistStatus.LISTED:
        raise InvalidInput(_("the party is not on the blacklist"), field="entry")
    if not reason.strip():
        raise InvalidInput(_("say why the party is taken off the blacklist"), field="reason")
    entry.status = BlacklistStatus.DELISTED
    entry.delisted_by, entry.delisted_at, entry.delist_reason = by, timezone.now(), reason.strip()
    entry.save()
    _audit(by, "blacklist.delist", entry, reason=entry.delist_reason)
    return entry


def blacklist_of_case(case: CollectionCase) -> QuerySet[BlacklistEntry]:
    """The live entries (proposed or listed) of the parties of ``case``'s loan."""
    return blacklist_of_loan(case.loan_id)


def blacklist_of_loan(loan_id: int) -> QuerySet[BlacklistEntry]:
    """The live entries (proposed or listed) of the parties of loan ``loan_id``."""
    parties = LoanParty.objects.filter(loan_id=loan_id).values("party_id")
    return (
        BlacklistEntry.objects.filter(
            party_id__in=parties,
            status__in=[BlacklistStatus.PENDING, BlacklistStatus.LISTED],
        )
        # The banner shows the party, the status and the reason: who proposed or decided
        # is on the blacklist page, and joining both users took a third of the case
        # page's closing panel.
        .select_related("party")
        .order_by("party__name", "id")
    )


EXPORT_COLUMNS = ("party", "id_type", "id_number", "creditor", "reason", "listed_at", "approver")


def blacklist_export(
    *, by: User, reveal: bool = False, creditor_ids: list[int] | None = None
) -> list[dict[str, str]]:
    """The listed parties as rows of ``EXPORT_COLUMNS`` (of ``creditor_ids`` only, when
    given). ID numbers masked unless ``reveal`` and the role may reveal them; a revealing
    export is audited with the parties it showed."""
    _require(by, "blacklist_export")
    if reveal and not role_can(by.role, "reveal_id_number"):
        raise Forbidden(refusal(by.role, "reveal_id_number"))
    entries = BlacklistEntry.objects.filter(status=BlacklistStatus.LISTED).select_related(
        "party", "party__creditor", "decided_by"
    )
    if creditor_ids is not None:
        entries = entries.filter(party__creditor_id__in=creditor_ids)
    rows = []
    for entry in entries.order_by("party__name", "id"):
        party = entry.party
        number = party.id_number or ""
        rows.append(
            {
                "party": party.name,
                "id_type": party.id_type,
                "id_number": number if reveal else mask_id_number(number),
                "creditor": party.creditor.name,
                "reason": entry.reason,
                "listed_at": entry.decided_at.isoformat() if entry.decided_at else "",
                "approver": entry.decided_by.username if entry.decided_by else "",
            }
        )
    audit_record(
        actor=by,
        action="blacklist.export_revealed" if reveal else "blacklist.export",
        subject_type="blacklist",
        subject_id="export",
        data={"rows": len(rows), "parties": [e.party_id for e in entries] if reveal else []},
    )
    return rows
