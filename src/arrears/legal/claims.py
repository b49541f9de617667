"""The claim on a loan on a date, from the ledger: the Django side of
``legal.calculations.claim`` (which says exactly what each figure means).

``loan_claim`` reads the loan's replayed state, its recoverable legal costs and its
creditor's interest ceiling; ``claim_report`` turns a claim into the JSON the CLI, the
matter page and the court papers share.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q

from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan
from arrears.legal.calculations.caps import cap_rule
from arrears.legal.calculations.claim import (
    Claim,
    ClaimCap,
    ClaimLine,
    CostIn,
    claim_calculate,
)
from arrears.legal.choices import CostKind
from arrears.legal.models import Matter, MatterCost
from arrears.portfolio.models import Loan
from arrears.portfolio.selectors import loan_state, loan_terms

__all__ = ["Claim", "ClaimCap", "ClaimLine", "claim_report", "loan_claim"]

# How each cost is named in court papers (实现债权的费用).
COST_LABELS: dict[str, str] = {
    CostKind.COURT_FEE: "案件受理费",
    CostKind.PAYMENT_ORDER_FEE: "支付令申请费",
    CostKind.PRESERVATION_FEE: "财产保全申请费",
    CostKind.ENFORCEMENT_FEE: "申请执行费",
    CostKind.LAWYER_FEE: "律师费",
    CostKind.GUARANTEE_FEE: "财产保全担保费",
    CostKind.SERVICE_FEE: "送达及公告费",
    CostKind.OTHER: "其他实现债权的费用",
}


def recoverable_costs(loan: Loan, *, through: date) -> list[CostIn]:
    """The recoverable costs incurred on or before ``through`` of every matter covering
    ``loan`` (as its lead loan or through ``MatterLoan``), each counted once."""
    # A subquery rather than a join: a lead loan also listed in MatterLoan would otherwise
    # bring each of its matter's costs twice.
    matters = Matter.objects.filter(Q(loan=loan) | Q(matter_loans__loan=loan)).values("pk")
    rows = (
        MatterCost.objects.filter(matter__in=matters, recoverable=True, incurred_on__lte=through)
        .order_by("incurred_on", "id")
        .values_list("matter_id", "kind", "incurred_on", "amount", "note")
    )
    found: list[CostIn] = []
    for matter_id, kind, incurred_on, amount, note in rows:
        label = f"{COST_LABELS.get(kind, COST_LABELS[CostKind.OTHER])}（案件#{matter_id}）"
        if note:
            label = f"{label}：{note}"
        found.append(CostIn(label=label, incurred_on=incurred_on, amount=amount))
    return found


def loan_claim(loan: Loan, *, as_of: date, accelerate: bool = False) -> Claim:
    """The claim on ``loan`` on ``as_of``: the ledger's figures on that day, the recoverable
    legal costs, and the ceiling for its creditor's lender type.

    ``accelerate`` states the principal not yet due as due on ``as_of`` (加速到期). The
    Loan model records no acceleration clause, so it is always allowed; the creditor must
    hold the contractual right and have declared it. Raises ``InvalidInput`` for a date
    before the loan was disbursed.
    """
    if as_of < loan.disbursed_on:
        raise InvalidInput(
            f"the claim date {as_of.isoformat()} is before the loan was disbursed"
            f" ({loan.disbursed_on.isoformat()})",
            field="as_of",
        )
    creditor = loan.creditor
    try:
        # The contract date is the disbursement date: the Loan model has no signing date.
        rule = cap_rule(creditor.lender_type, contract_on=loan.disbursed_on)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="lender_type") from exc
    return claim_calculate(
        loan_id=loan.loan_id,
        state=loan_state(loan, as_of=as_of),
        terms=loan_terms(loan),
        disbursed_on=loan.disbursed_on,
        costs=recoverable_costs(loan, through=as_of),
        cap_rule=rule,
        accelerate=accelerate,
    )


def _rate(value: Decimal | None) -> str | None:
    if value is None:
        return None
    # "0.180000" from the database reads as "0.18"; never in exponent form.
    return format(value.normalize(), "f")


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _line_report(line: ClaimLine) -> dict[str, Any]:
    return {
        "component": line.component,
        "label": line.label,
        "period_from": _day(line.period_from),
        "period_to": _day(line.period_to),
        "base": None if line.base is None else format_yuan(line.base),
        "rate": _rate(line.rate),
        "days": line.days,
        "amount": format_yuan(line.amount),
    }


def claim_report(claim: Claim) -> dict[str, Any]:
    """The claim as JSON-ready data: yuan strings, ISO dates, rates as decimal strings.

    Keys: loan_id, as_of, principal, interest, penalty, fees, costs, total, cap, lines,
    and also accelerated, lender_type, principal_fallen_due, principal_not_yet_due, credit.
    """
    cap = claim.cap
    return {
        "loan_id": claim.loan_id,
        "as_of": claim.as_of.isoformat(),
        "principal": format_yuan(claim.principal),
        "interest": format_yuan(claim.interest),
        "penalty": format_yuan(claim.penalty),
        "fees": format_yuan(claim.fees),
        "costs": format_yuan(claim.costs),
        "total": format_yuan(claim.total),
        "cap": {
            "rule": cap.rule,
            "annual_rate": _rate(cap.annual_rate),
            "lender_type": cap.lender_type,
            "contract_on": _day(cap.contract_on),
            "lpr": _rate(cap.lpr),
            "lpr_effective_on": _day(cap.lpr_effective_on),
            "claimed_charges": format_yuan(cap.claimed_charges),
            "charges_paid": format_yuan(cap.charges_paid),
            "allowance": format_yuan(cap.allowance),
            "supportable_charges": format_yuan(cap.supportable_charges),
            "reduction": format_yuan(cap.reduction),
            "total_supportable": format_yuan(cap.total_supportable),
        },
        "lines": [_line_report(line) for line in claim.lines],
        "accelerated": claim.accelerated,
        "lender_type": claim.lender_type,
        "principal_fallen_due": format_yuan(claim.principal_fallen_due),
        "principal_not_yet_due": format_yuan(claim.principal_not_yet_due),
        "credit": format_yuan(claim.credit),
    }
