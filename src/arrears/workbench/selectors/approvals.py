"""The approvals list: pending repayment plans, settlements and write-offs a person may
decide.

Read through ``arrears.cases.scoping.cases_visible_to`` (only the person's scope) and cut
to what the role's authority covers (``plan_services.authority_of``); a fixed number of
queries whatever the number of rows.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date
from functools import reduce

from django.db.models import F, Q
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.accounts.roles import role_can
from arrears.cases.choices import PlanStatus, SettlementStatus
from arrears.cases.models import (
    CollectionCase,
    RepaymentPlan,
    Settlement,
    WriteOffProposal,
    WriteOffStatus,
)
from arrears.cases.plan_services import authority_of
from arrears.cases.scoping import cases_visible_to
from arrears.core.money import format_yuan_grouped


@dataclass(frozen=True)
class PendingRow:
    """One line of the approvals list."""

    kind: str
    pk: int
    case: CollectionCase
    what: str
    amount: str
    requested_by: str
    made_on: date
    reason: str


def approvals_for(user: User) -> list[PendingRow]:
    """Pending plans and settlements in ``user``'s scope that their authority covers, oldest
    first; a fixed number of queries whatever the number of rows."""
    limit = authority_of(user.role)
    scope = cases_visible_to(user)
    rows: list[PendingRow] = []
    if role_can(user.role, "plan_decide"):
        plans = RepaymentPlan.objects.filter(
            status=PlanStatus.PENDING,
            case__in=scope,
            total__lte=limit.plan_max_amount,
            installments__lte=limit.plan_max_installments,
        ).select_related("case__loan", "requested_by")
        rows += [
            PendingRow(
                "plan",
                p.pk,
                p.case,
                _("Plan: %(n)s monthly installments") % {"n": p.installments},
                format_yuan_grouped(p.total),
                p.requested_by.get_username(),
                p.made_on,
                p.reason,
            )
            for p in plans
        ]
    if role_can(user.role, "settlement_decide"):
        settlements = (
            Settlement.objects.filter(status=SettlementStatus.PENDING, case__in=scope)
            .alias(
                waived=F("waive_principal")
                + F("waive_interest")
                + F("waive_fees")
                + F("waive_penalty")
            )
            .filter(
                waived__lte=limit.waiver_max_total, waive_principal__lte=limit.waiver_max_principal
            )
            .exclude(
                # Any component beyond the role's reach (e.g. interest for a collector).
                reduce(
                    operator.or_,
                    [
                        Q(**{f"waive_{name}__gt": 0})
                        for name in ("principal", "interest", "fees", "penalty")
                        if name not in limit.waivable_components()
                    ],
                    Q(pk__in=[]),
                )
            )
            .select_related("case__loan", "requested_by")
        )
        rows += [
            PendingRow(
                "settlement",
                s.pk,
                s.case,
                _("Waiver: penalty %(pe)s, interest %(i)s, fees %(f)s, principal %(pr)s")
                % {
                    "pe": format_yuan_grouped(s.waive_penalty),
                    "i": format_yuan_grouped(s.waive_interest),
                    "f": format_yuan_grouped(s.waive_fees),
                    "pr": format_yuan_grouped(s.waive_principal),
                },
                format_yuan_grouped(s.total_waived),
                s.requested_by.get_username(),
                s.made_on,
                s.reason,
            )
            for s in settlements
        ]
    if role_can(user.role, "writeoff_decide"):
        # Write-offs (核销) someone else proposed, within the role's write-off limit.
        writeoffs = (
            WriteOffProposal.objects.filter(
                status=WriteOffStatus.PENDING,
                case__in=scope,
                balance__lte=limit.writeoff_max_amount,
            )
            .exclude(proposed_by=user)
            .select_related("case__loan", "proposed_by")
        )
        rows += [
            PendingRow(
                "writeoff",
                w.pk,
                w.case,
                _("Write-off: %(evidence)s") % {"evidence": w.evidence or "–"},
                format_yuan_grouped(w.balance),
                w.proposed_by.get_username(),
                w.proposed_on,
                w.reason,
            )
            for w in writeoffs
        ]
    return sorted(rows, key=lambda row: (row.made_on, row.kind, row.pk))
