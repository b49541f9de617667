"""证据清单 (证据规定 art. 19: numbered, source, pages, what each proves) and 律师函 (the
outreach ``lawyer-letter`` in the lawyer's own words, with the claim's figures)."""

from __future__ import annotations

from arrears.legal.documents.layout import Content, Para, Row, Table, each, rows_each

EVIDENCE_LIST: tuple[Content, ...] = (
    Para("证据清单", "title"),
    Para("（{{ creditor.name }}诉{{ defendant_names }}金融借款合同纠纷）", "center"),
    Para("案号：{{ case_number }}", "plain"),
    Para("**原告**：{{ creditor.name }}", "plain"),
    each(
        "party in defendants",
        Para(
            "**被告{{ party.no }}**（{{ party.role }}）：{{ party.name }}，"
            "{{ party.id_type }}：{{ party.id_number }}",
            "plain",
        ),
    ),
    Para("诉讼标的：截至{{ as_of }}，{{ claim.total }}元（{{ claim.total_capital }}）", "plain"),
    Table(
        (7, 25, 18, 8, 42),
        (
            Row(("序号", "证据名称", "证据来源", "页码", "证明内容"), header=True),
            rows_each(
                "item in evidence",
                Row(
                    (
                        "{{ item.no }}",
                        "{{ item.name }}",
                        "{{ item.source }}",
                        "{{ item.pages }}",
                        "{{ item.proves }}",
                    )
                ),
            ),
        ),
    ),
    Para("提交人（签字、盖章）：{{ creditor.name }}", "right"),
    Para("{{ today }}", "right"),
    Para("（本清单按对方当事人人数提交副本。）", "note"),
)

LAWYER_LETTER: tuple[Content, ...] = (
    Para("律师函", "title"),
    Para("编号：{{ blank }}", "right"),
    each(
        "party in defendants",
        Para(
            "**致：{{ party.name }}**（{{ party.role }}，{{ party.id_type }}："
            "{{ party.id_number }}，"
            "地址：{{ party.address }}）",
            "plain",
        ),
    ),
    Para(
        "{{ blank }}律师事务所（以下简称“本所”）接受{{ creditor.name }}（以下简称“委托人”）的委托，"
        "指派本所律师就{{ borrower_names }}与委托人签订的《{{ loan.contract_name }}》"
        "（合同编号：{{ loan.loan_id }}）项下借款逾期未还一事，郑重致函如下："
    ),
    Para(
        "经委托人核对，委托人已于{{ loan.disbursed_on }}向{{ borrower_names }}发放借款"
        "{{ loan.principal }}元，约定期限{{ loan.term_months }}个月，年利率{{ loan.annual_rate }}，"
        "还款方式为{{ loan.repayment_method }}。{% if has_guarantors %}{{ guarantor_names }}"
        "为该借款提供保证担保。{% endif %}上述借款自{{ loan.overdue_since }}起未按约定还款，"
        "截至{{ as_of }}已逾期{{ loan.dpd }}天，尚欠本金{{ claim.principal }}元"
        "{{ claim.principal_split }}、期内利息"
        "{{ claim.interest }}元、罚息{{ claim.penalty }}元{% if claim.has_fees %}、费用"
        "{{ claim.fees }}元{% endif %}{% if claim.has_costs %}、实现债权的费用{{ claim.costs }}元"
        "{% endif %}，合计{{ claim.total }}元（{{ claim.total_capital }}）。罚息按合同约定计至"
        "实际清偿之日。"
    ),
    Para(
        "按约还款是借款合同约定的义务{% if has_guarantors %}，保证人亦应依约承担保证责任"
        "{% endif %}。请于{{ pay_by }}前向委托人清偿上述款项。"
    ),
    Para(
        "如对上述款项有异议，或还款确有困难，请在上述期限前与委托人或本律师联系协商。期限届满"
        "仍未清偿、也未联系的，委托人将依法通过诉讼或申请支付令等方式主张权利，由此产生的诉讼费、"
        "保全费、律师费等费用，将依合同约定一并主张。"
    ),
    Para("本函系律师受委托人委托发出的催告函，不是法院或其他国家机关出具的法律文书。"),
    Para("{{ blank }}律师事务所", "right"),
    Para("律师：{{ blank }}　联系电话：{{ blank }}", "right"),
    Para("{{ today }}", "right"),
)
