"""Demo data for closing a debt (called by the integrator from ``arrears demo``): on the
demo portfolio, the legal officer proposes writing off the open case with the highest DPD
(it waits on the manager's approvals page); the team lead proposes that case's borrower for
the blacklist and the manager lists them (the banner shows on the case page); the legal
officer proposes the next case's borrower (waiting on the blacklist page). Idempotent:
nothing is added when a write-off proposal already exists. Needs the demo workforce."""

from __future__ import annotations

from datetime import date

from arrears.accounts.models import User
from arrears.cases.blacklist_services import blacklist_decide, blacklist_propose
from arrears.cases.models import CollectionCase, WriteOffProposal
from arrears.cases.writeoff_services import writeoff_propose
from arrears.portfolio.models import LoanParty


def demo_closing(*, day: date) -> None:
    """Add the demo's write-off proposal and blacklist entries as of ``day``."""
    if WriteOffProposal.objects.exists():
        return
    people = {u.username: u for u in User.objects.filter(username__in=["lead", "manager", "legal"])}
    if len(people) < 3:
        return
    worst = list(
        CollectionCase.objects.filter(status="open", loan__status="active")
        .order_by("-current_dpd", "id")
        .select_related("loan")[:2]
    )
    if not worst:
        return
    writeoff_propose(
        case=worst[0],
        by=people["legal"],
        reason="借款人经营失败，名下无可执行财产，诉讼成本高于预期回收",
        evidence="不动产、车辆、存款查询均无结果（示例）",
        on=day,
    )
    for index, case in enumerate(worst):
        borrower = LoanParty.objects.filter(loan_id=case.loan_id, role="borrower").first()
        if borrower is None:
            continue
        if index == 0:
            entry = blacklist_propose(
                party=borrower.party, by=people["lead"], reason="恶意拖欠，多次承诺未履行"
            )
            blacklist_decide(entry=entry, by=people["manager"], approve=True, note="同意")
        else:
            blacklist_propose(party=borrower.party, by=people["legal"], reason="提供虚假联系方式")
