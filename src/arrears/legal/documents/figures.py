"""The figures of a court paper: the loan's terms, what was repaid and what is owed, and the
claim itemised, all as printable strings.

Every amount comes from the claim calculator (``legal.claims.loan_claim``) or the ledger's
replay of the loan on the same date (``portfolio.selectors.loan_state``), never from a
stored position that may be days old. Amounts are yuan with two decimals and thousands
separators (``120,000.00``); the total is also written in Chinese capitals.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from arrears.core.money import format_yuan_grouped
from arrears.legal.claims import Claim, ClaimLine
from arrears.legal.documents.parties import BLANK, chinese_date
from arrears.outreach.rendering import capital_yuan
from arrears.portfolio.calculations.allocation import LoanState
from arrears.portfolio.choices import GuaranteeType, RepaymentMethod
from arrears.portfolio.models import Loan

TICKED, UNTICKED = "■", "□"

# The repayment methods as the SPC element form (法〔2024〕46号, 事实与理由 7) lists them.
REPAYMENT_FORM_OPTIONS = (
    "等额本息",
    "等额本金",
    "到期一次性还本付息",
    "按月计息、到期一次性还本",
    "按季计息、到期一次性还本",
    "按年计息、到期一次性还本",
    "其他",
)
REPAYMENT_FORM_WORDING: dict[str, str] = {
    RepaymentMethod.ANNUITY: "等额本息",
    RepaymentMethod.EQUAL_PRINCIPAL: "等额本金",
    RepaymentMethod.BULLET: "到期一次性还本付息",
    RepaymentMethod.INTEREST_ONLY: "按月计息、到期一次性还本",
}
GUARANTEE_WORDING: dict[str, str] = {
    GuaranteeType.CREDIT: "信用",
    GuaranteeType.GUARANTEE: "保证",
    GuaranteeType.MORTGAGE: "抵押",
    GuaranteeType.PLEDGE: "质押",
}
# The claim calculator's components, as the form names them.
COMPONENT_LABELS = {
    "principal": "本金",
    "interest": "期内利息",
    "penalty": "罚息",
    "fees": "费用",
    "costs": "实现债权的费用",
    "credit": "已收款项抵扣",
}


def yuan(fen: int) -> str:
    """Fen as a court paper writes yuan: 12000000 → ``120,000.00``."""
    return format_yuan_grouped(fen)


def percent(rate: Decimal | None) -> str:
    """A rate fraction as a percentage: Decimal('0.18') → ``18%``, 0.1234 → ``12.34%``."""
    if rate is None:
        return ""
    value = (Decimal(rate) * 100).quantize(Decimal("0.0001")).normalize()
    return f"{value:f}%"


def boxes(options: tuple[str, ...], chosen: str | None) -> str:
    """Tick boxes as the form prints them: ``■等额本息 □等额本金 …``."""
    return " ".join(f"{TICKED if option == chosen else UNTICKED}{option}" for option in options)


def yes_no(flag: bool | None) -> str:
    """``■是 □否``; with ``None`` (not known) both boxes are left for the lawyer."""
    if flag is None:
        return f"{UNTICKED}是 {UNTICKED}否"
    return boxes(("是", "否"), "是" if flag else "否")


def _period(line: ClaimLine) -> str:
    if line.period_from is None:
        # Lines other than penalty carry only their due date (or the cost's date).
        return chinese_date(line.period_to) if line.period_to else ""
    return f"{chinese_date(line.period_from)}至{chinese_date(line.period_to)}"


def claim_lines(claim: Claim) -> list[dict[str, str]]:
    """The calculator's itemised lines, numbered, for the calculation table."""
    return [
        {
            "no": str(number),
            "component": COMPONENT_LABELS.get(line.component, line.component),
            "label": line.label,
            "period": _period(line),
            "base": yuan(line.base) if line.base is not None else "",
            "rate": percent(line.rate),
            "days": str(line.days) if line.days is not None else "",
            "amount": yuan(line.amount),
        }
        for number, line in enumerate(claim.lines, start=1)
    ]


def _cost_items(claim: Claim) -> list[dict[str, str]]:
    """实现债权的费用 itemised: the calculator's cost lines, or its total as one item."""
    items = [
        {"label": line.label, "amount": yuan(line.amount)}
        for line in claim.lines
        if line.component == "costs" and line.amount
    ]
    if not items and claim.costs:
        items = [{"label": "实现债权的费用", "amount": yuan(claim.costs)}]
    for number, item in enumerate(items, start=1):
        item["no"] = str(number)
    return items


def continuing_rate(loan: Loan, claim: Claim) -> Decimal:
    """The yearly rate penalty interest keeps running at after the claim date: the
    contract's penalty rate, but never above the ceiling a court supports for this lender
    (a claim above it would be cut, and the form asks for a rate the court can grant)."""
    rate = Decimal(loan.penalty_rate)
    ceiling = claim.cap.annual_rate
    return min(rate, ceiling) if ceiling else rate


def claim_figures(loan: Loan, claim: Claim) -> dict[str, Any]:
    """The claim as printed: components, total (with capitals), how interest runs on."""
    costs = _cost_items(claim)
    rate = continuing_rate(loan, claim)
    since = chinese_date(claim.as_of + timedelta(days=1))
    # Penalty runs on principal fallen due; once the loan is called in, that is all of it.
    # Principal not yet due keeps earning the contract's interest on its schedule.
    if claim.accelerated or not claim.principal_not_yet_due:
        base = claim.principal
        method = f"自{since}起，以全部剩余本金{yuan(base)}元为基数"
    else:
        base = claim.principal_fallen_due
        method = f"自{since}起，以到期未还本金{yuan(base)}元为基数"
    method += f"，按年利率{percent(rate)}计算罚息至实际清偿之日止"
    if not claim.accelerated and claim.principal_not_yet_due:
        method += "；未到期本金按合同约定计息，到期未还的自到期之次日起按上述利率计算罚息"
    split = ""
    if claim.principal_not_yet_due:
        later = "宣布提前到期本金" if claim.accelerated else "未到期本金"
        split = (
            f"（其中到期未还本金{yuan(claim.principal_fallen_due)}元、"
            f"{later}{yuan(claim.principal_not_yet_due)}元）"
        )
    return {
        "principal": yuan(claim.principal),
        "principal_split": split,
        "has_undue_principal": bool(claim.principal_not_yet_due) and not claim.accelerated,
        "interest": yuan(claim.interest),
        "penalty": yuan(claim.penalty),
        "charges": yuan(claim.interest + claim.penalty),
        "compound": "0.00",
        "fees": yuan(claim.fees),
        "has_fees": claim.fees > 0,
        "costs": yuan(claim.costs),
        "has_costs": bool(costs),
        "cost_items": costs,
        "costs_text": "、".join(f"{c['label']}{c['amount']}元" for c in costs) or "无",
        "total": yuan(claim.total),
        "total_capital": capital_yuan(claim.total),
        "accelerated": claim.accelerated,
        "accelerated_box": yes_no(claim.accelerated),
        "principal_fallen_due": yuan(claim.principal_fallen_due),
        "principal_not_yet_due": yuan(claim.principal_not_yet_due),
        "credit": yuan(claim.credit),
        "continuing_base": yuan(base),
        "continuing_rate": percent(rate),
        "continuing_from": since,
        "interest_method": method,
        "cap_rule": claim.cap.rule or BLANK,
        "cap_rate": percent(claim.cap.annual_rate),
        "cap_reduced": claim.cap.reduction > 0,
        "cap_reduction": yuan(claim.cap.reduction),
        "total_supportable": yuan(claim.cap.total_supportable),
    }


def _interest_paid_through(state: LoanState) -> str:
    """The due date of the last installment whose interest is paid in full (blank if none)."""
    paid = [
        item.due_on
        for item in state.installments
        if item.due_on <= state.as_of and item.due.interest and not item.outstanding.interest
    ]
    return chinese_date(max(paid)) if paid else BLANK


def loan_figures(loan: Loan, state: LoanState, *, accelerated: bool) -> dict[str, Any]:
    """The contract's terms and its history to the claim date, as the form asks for them."""
    maturity = max((item.due_on for item in state.installments), default=None)
    matured = maturity is not None and maturity <= state.as_of
    method = REPAYMENT_FORM_WORDING.get(loan.repayment_method, "其他")
    secured = loan.guarantee_type in (GuaranteeType.MORTGAGE, GuaranteeType.PLEDGE)
    return {
        "loan_id": loan.loan_id,
        "contract_name": "借款合同",
        "signed_on": BLANK,
        "signed_at": BLANK,
        "principal": yuan(loan.principal),
        "principal_capital": capital_yuan(loan.principal),
        "term_months": str(loan.term_months),
        "disbursed_on": chinese_date(loan.disbursed_on),
        "first_due_on": chinese_date(loan.first_due_on) if loan.first_due_on else BLANK,
        "maturity_on": chinese_date(maturity),
        "matured_box": yes_no(matured or accelerated),
        "annual_rate": percent(Decimal(loan.annual_rate)),
        "penalty_rate": percent(Decimal(loan.penalty_rate)),
        "repayment_method": method,
        "repayment_boxes": boxes(REPAYMENT_FORM_OPTIONS, method),
        "guarantee_type": GUARANTEE_WORDING.get(loan.guarantee_type, BLANK),
        "secured_box": yes_no(secured) if loan.guarantee_type else yes_no(None),
        "currency": "人民币" if loan.currency == "CNY" else loan.currency,
        "repaid_principal": yuan(state.paid.principal),
        "repaid_interest": yuan(state.paid.interest),
        "interest_paid_through": _interest_paid_through(state),
        "overdue_box": yes_no(state.oldest_overdue_due_on is not None),
        "overdue_since": chinese_date(state.oldest_overdue_due_on),
        "dpd": str(state.dpd),
        "principal_outstanding": yuan(state.principal_outstanding),
        "overdue_principal": yuan(state.overdue.principal),
        "overdue_interest": yuan(state.overdue.interest),
        "overdue_total": yuan(state.overdue.total),
    }
