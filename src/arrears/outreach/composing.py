"""Composing claimed messages: whom to reach at which address, and the exact text.

Everything a batch needs is read in a handful of queries (parties, their contact points,
the loans' positions, the creditors, the templates), then each message is rendered from
the newest active version of its template with the fixed variables of ``rendering``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from arrears.compliance.rules import DEFAULT_TIME_ZONE
from arrears.outreach.models import OutboxMessage
from arrears.outreach.rendering import render, sms_template_params, variables_for
from arrears.outreach.template_selectors import template_current
from arrears.portfolio.choices import ContactStatus
from arrears.portfolio.models import ContactPoint, Creditor, LoanParty, LoanPosition, Party

# The template a message uses when its plan named none: by what it is for.
DEFAULT_TEMPLATE = {
    "sms": "reminder",
    "email": "reminder",
    "letter": "overdue-notice",
    "overdue_notice": "overdue-notice",
    "guarantor_notice": "guarantor-notice",
    "lawyer_letter": "lawyer-letter",
}
ADDRESS_KIND = {"sms": "phone", "email": "email", "letter": "address"}
LANGUAGE = "zh-hans"


class NoAddress(str):
    """Why a message has nobody to go to (no usable phone, email or address on file, say
    after a wrong-number call marked the only phone invalid): it is cancelled with this
    reason, not failed, since nothing was tried."""


@dataclass(frozen=True)
class Composed:
    """A message ready for its adapter."""

    to: str
    body: str
    subject: str = ""
    recipient_name: str = ""
    template_version: int | None = None
    provider_template_code: str = ""
    template_params: Mapping[str, str] = field(default_factory=dict)


def _addresses(party_ids: set[int]) -> dict[tuple[int, str], str]:
    """Each party's best address of each kind: primary first, verified before unverified,
    never one known to be invalid."""
    best: dict[tuple[int, str], str] = {}
    points = (
        ContactPoint.objects.filter(party_id__in=party_ids)
        .exclude(status=ContactStatus.INVALID)
        .order_by("party_id", "kind", "-is_primary", "status", "id")
        .values_list("party_id", "kind", "value", "status")
    )
    ranked: dict[tuple[int, str], list[tuple[bool, str]]] = defaultdict(list)
    for party_id, kind, value, status in points:
        ranked[(party_id, kind)].append((status != ContactStatus.VALID, value))
    for key, values in ranked.items():
        best[key] = sorted(values, key=lambda item: item[0])[0][1]
    return best


def compose(rows: Sequence[OutboxMessage], now: datetime) -> dict[int, Composed | str]:
    """Per message id, what to send — or why it cannot be sent (a permanent failure)."""
    if not rows:
        return {}
    borrowers = dict(
        LoanParty.objects.filter(loan_id__in={r.loan_id for r in rows}, role="borrower")
        .order_by("-id")
        .values_list("loan_id", "party_id")
    )
    parties = Party.objects.in_bulk({r.party_id for r in rows} | set(borrowers.values()))
    addresses = _addresses({r.party_id for r in rows})
    positions = LoanPosition.objects.in_bulk({r.loan_id for r in rows}, field_name="loan_id")
    creditors = dict(
        Creditor.objects.filter(pk__in={r.loan.creditor_id for r in rows}).values_list("pk", "name")
    )
    today = now.astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).date()
    templates: dict[tuple[str, str], object] = {}
    made: dict[int, Composed | str] = {}
    for row in rows:
        kind = ADDRESS_KIND[row.channel]
        to = addresses.get((row.party_id, kind))
        if not to:
            made[row.pk] = NoAddress(f"no {kind} on file for this party")
            continue
        code = row.template or DEFAULT_TEMPLATE.get(row.purpose) or DEFAULT_TEMPLATE[row.channel]
        key = (code, row.channel)
        if key not in templates:
            templates[key] = template_current(code, row.channel, LANGUAGE)
        template = templates[key]
        if template is None:
            made[row.pk] = f"no active {row.channel} template {code!r}"
            continue
        party = parties[row.party_id]
        variables = variables_for(
            loan=row.loan,
            party=party,
            position=positions.get(row.loan_id),
            creditor_name=creditors.get(row.loan.creditor_id, ""),
            language=LANGUAGE,
            today=today,
            borrower=parties.get(borrowers.get(row.loan_id, row.party_id)),
        )
        subject, body = render(template, variables)  # type: ignore[arg-type]
        made[row.pk] = Composed(
            to=to,
            body=body,
            subject=subject,
            recipient_name=party.name,
            template_version=template.version,  # type: ignore[attr-defined]
            provider_template_code=template.provider_template_code,  # type: ignore[attr-defined]
            template_params=(
                sms_template_params(template, variables)  # type: ignore[arg-type]
                if row.channel == "sms"
                else {}
            ),
        )
    return made
