"""The default evidence list (证据清单) of a financial-loan claim.

最高人民法院关于民事诉讼证据的若干规定 art. 19 wants each item numbered, with its source,
what it proves and its content. The list below is the usual set for a 金融借款合同纠纷
(identity, contract, guarantee, disbursement, repayment and arrears with the interest
calculation, collection and notices); page numbers are left for the lawyer, who binds the
copies. A loan without guarantors gets no guarantee item.
"""

from __future__ import annotations

from typing import Any


def default_evidence(
    *,
    creditor: dict[str, Any],
    loan: dict[str, Any],
    claim: dict[str, Any],
    borrowers: list[dict[str, Any]],
    guarantors: list[dict[str, Any]],
    as_of: str,
) -> list[dict[str, str]]:
    """The numbered items, each ``{no, name, source, pages, proves}`` (``pages`` empty)."""
    borrower_names = "、".join(party["name"] for party in borrowers)
    guarantor_names = "、".join(party["name"] for party in guarantors)
    items = [
        (
            "原告营业执照、金融许可证（或经营许可）复印件",
            "原告提供",
            f"{creditor['name']}的主体资格",
        ),
        (
            "被告身份证件复印件",
            "签订合同时被告提供",
            f"被告{'、'.join(p['name'] for p in borrowers + guarantors)}的身份信息及主体资格",
        ),
        (
            f"《{loan['contract_name']}》（编号：{loan['loan_id']}）及借据（含电子签约记录）",
            "原告与被告签订",
            f"借贷关系成立；约定借款本金{loan['principal']}元、期限{loan['term_months']}个月、"
            f"年利率{loan['annual_rate']}、逾期罚息年利率{loan['penalty_rate']}、"
            f"还款方式为{loan['repayment_method']}",
        ),
    ]
    if guarantors:
        items.append(
            (
                "保证合同（或担保函）",
                "原告与保证人签订",
                f"{guarantor_names}为{borrower_names}的上述借款提供保证担保",
            )
        )
    items += [
        (
            "放款凭证、交易明细",
            "原告系统记录及银行流水",
            f"原告已于{loan['disbursed_on']}向{borrower_names}发放借款{loan['principal']}元",
        ),
        (
            "还款明细、欠款清单及利息计算表",
            "原告核算系统",
            f"被告已还本金{loan['repaid_principal']}元、利息{loan['repaid_interest']}元，"
            f"自{loan['overdue_since']}起逾期；截至{as_of}尚欠本金{claim['principal']}元、"
            f"期内利息{claim['interest']}元、罚息{claim['penalty']}元，合计{claim['total']}元",
        ),
        (
            "催收记录、逾期通知、律师函及送达凭证",
            "原告催收系统记录、邮寄凭证",
            "原告已多次催收，被告逾期仍未清偿；诉讼时效中断",
        ),
    ]
    return [
        {"no": str(number), "name": name, "source": source, "pages": "", "proves": proves}
        for number, (name, source, proves) in enumerate(items, start=1)
    ]
