"""民事起诉状 for a 金融借款合同纠纷, in the elements of the Supreme People's Court's model
form (《民事起诉状、答辩状示范文本（试行）》, 法〔2024〕46号): parties, claims 1–8, forum and
preservation, facts 1–19, willingness to mediate, signature."""

from __future__ import annotations

from arrears.legal.documents.forms.common import addressed_and_signed, claim_table
from arrears.legal.documents.layout import (
    Band,
    Content,
    Para,
    Row,
    Table,
    each,
    rows_each,
    when,
)

NOTES: tuple[Content, ...] = (
    Para(
        "说明：为了方便您更好地参加诉讼，保护您的合法权利，请填写本表。"
        "1. 起诉时需向人民法院提交证明您身份的材料，如身份证复印件、营业执照复印件等。"
        "2. 本表所列内容是您提起诉讼以及人民法院查明案件事实所需，请务必如实填写。"
        "3. 本表所涉内容系针对一般金融借款合同纠纷案件，有些内容可能与您的案件无关，"
        "您认为与案件无关的项目可以填“无”或不填；对于本表中勾选项可以在对应项打“√”；"
        "您认为另有重要内容需要列明的，可以在本表尾部或者另附页填写。",
        "note",
    ),
    Para(
        "★特别提示：《中华人民共和国民事诉讼法》第十三条第一款规定：“民事诉讼应当遵循诚信原则。”"
        "如果诉讼参加人违反上述规定，进行虚假诉讼、恶意诉讼的，人民法院将视违法情形依法追究责任。",
        "note",
    ),
)

PLAINTIFF = Row(
    (
        "原告（法人、非法人组织）",
        (
            "名称：{{ creditor.name }}",
            "住所地（主要办事机构所在地）：{{ creditor.address }}",
            "注册地/登记地：{{ creditor.registered_at }}",
            "法定代表人/主要负责人：{{ creditor.representative }}　"
            "职务：{{ creditor.representative_post }}　联系电话：{{ creditor.phone }}",
            "统一社会信用代码：{{ creditor.uscc }}",
            "类型：有限责任公司□ 股份有限公司□ 上市公司□ 其他企业法人□ 事业单位□ "
            "社会团体□ 基金会□ 社会服务机构□ 机关法人□ 农村集体经济组织法人□ "
            "城镇农村的合作经济组织法人□ 基层群众性自治组织法人□ 个人独资企业□ 合伙企业□ "
            "不具有法人资格的专业服务机构□",
            "所有制性质：国有□（控股□ 参股□） 民营□",
        ),
    )
)

DEFENDANT_PERSON: tuple[Content, ...] = (
    "姓名：{{ party.name }}",
    "性别：{{ party.sex }}",
    "出生日期：{{ party.birth_date }}　民族：{{ party.ethnicity }}",
    "工作单位：{{ party.employer }}　职务：{{ blank }}　联系电话：{{ party.phone }}",
    "住所地（户籍所在地）：{{ party.address }}",
    "经常居住地：{{ party.residence }}",
    "证件类型：{{ party.id_type }}",
    "证件号码：{{ party.id_number }}",
)
DEFENDANT_COMPANY: tuple[Content, ...] = (
    "名称：{{ party.name }}",
    "住所地（主要办事机构所在地）：{{ party.address }}",
    "法定代表人/主要负责人：{{ party.representative }}　联系电话：{{ party.phone }}",
    "统一社会信用代码：{{ party.id_number }}",
)

PARTIES = (
    Band("当事人信息"),
    PLAINTIFF,
    Row(
        (
            "委托诉讼代理人",
            (
                "有□ 姓名：{{ blank }}　单位：{{ blank }}　职务：{{ blank }}　"
                "联系电话：{{ blank }}",
                "代理权限：一般授权□ 特别授权□",
                "无□",
            ),
        )
    ),
    Row(
        (
            "送达地址（所填信息除书面特别声明更改外，适用于案件所有后续程序）及收件人、联系电话",
            ("地址：{{ blank }}", "收件人：{{ blank }}　联系电话：{{ blank }}"),
        )
    ),
    Row(
        (
            "是否接受电子送达",
            (
                "是□ 方式：短信{{ blank }} 微信{{ blank }} 传真{{ blank }} 邮箱{{ blank }}",
                "否□",
            ),
        )
    ),
    rows_each(
        "party in defendants",
        Row(
            (
                "被告{{ party.no }}（{{ party.role }}）",
                (when("party.is_company", *DEFENDANT_COMPANY, otherwise=DEFENDANT_PERSON),),
            )
        ),
    ),
    Row(("第三人", "无")),
)

CLAIMS = (
    Band("诉讼请求和依据"),
    Row(
        (
            "1. 本金",
            (
                "截至{{ as_of }}止，尚欠本金{{ claim.principal }}元{{ claim.principal_split }}"
                "（币种：{{ loan.currency }}）",
            ),
        )
    ),
    Row(
        (
            "2. 利息（复利、罚息）",
            (
                "截至{{ as_of }}止，欠利息、罚息共计{{ claim.charges }}元，其中期内利息"
                "{{ claim.interest }}元、复利{{ claim.compound }}元、罚息{{ claim.penalty }}元",
                "计算方式：{{ claim.interest_method }}",
                "是否请求支付至实际清偿之日止：■是 □否",
            ),
        )
    ),
    Row(
        (
            "3. 是否要求提前还款或解除合同",
            (
                "提前还款（加速到期）：{{ claim.accelerated_box }}",
                when(
                    "claim.accelerated",
                    "借款已依约加速到期，请求判令被告{{ borrower_names }}归还全部剩余借款本金",
                ),
                "解除合同：□是 □否",
            ),
        )
    ),
    Row(
        (
            "4. 是否主张担保权利",
            (
                when(
                    "has_guarantors",
                    "■是 □否",
                    "内容：判令被告{{ guarantor_names }}对上述第1、2、5项债务承担保证责任",
                    otherwise=("□是 ■否",),
                ),
                "抵押/质押：{{ loan.secured_box }}（如是，请求对担保财产折价或者拍卖、变卖所得价款"
                "享有优先受偿权；担保财产：{{ blank }}）",
            ),
        )
    ),
    Row(
        (
            "5. 是否主张实现债权的费用",
            (
                when(
                    "claim.has_costs",
                    "■是 □否",
                    each(
                        "cost in claim.cost_items",
                        "{{ cost.no }}. {{ cost.label }}：{{ cost.amount }}元",
                    ),
                    "合计：{{ claim.costs }}元",
                    otherwise=("□是 ■否",),
                ),
            ),
        )
    ),
    Row(("6. 诉讼费用", ("本案诉讼费用（案件受理费、保全费等）由被告承担",))),
    Row(
        (
            "7. 其他请求",
            (when("claim.has_fees", "合同约定的费用{{ claim.fees }}元", otherwise=("无",)),),
        )
    ),
    Row(
        (
            "8. 标的总额",
            ("{{ claim.total }}元（{{ claim.total_capital }}），计算至{{ as_of }}",),
        )
    ),
)

FORUM = (
    Band("约定管辖和诉讼保全"),
    Row(("1. 有无仲裁、法院管辖约定", ("有□ 合同条款及内容：{{ blank }}", "无□"))),
    Row(
        (
            "2. 是否已经诉前保全",
            (
                "是□ 保全法院：{{ blank }}　保全时间：{{ blank }}　保全案号：{{ blank }}",
                "否□",
            ),
        )
    ),
)

FACTS = (
    Band("事实与理由"),
    Row(
        (
            "1. 合同签订情况（名称、编号、签订时间、地点等）",
            (
                "《{{ loan.contract_name }}》，编号：{{ loan.loan_id }}，"
                "签订时间：{{ loan.signed_on }}，签订地点：{{ loan.signed_at }}",
            ),
        )
    ),
    Row(
        (
            "2. 签订主体",
            ("贷款人：{{ creditor.name }}", "借款人：{{ borrower_names }}"),
        )
    ),
    Row(
        (
            "3. 借款金额",
            (
                "约定：{{ loan.currency }}{{ loan.principal }}元",
                "实际提供：{{ loan.currency }}{{ loan.principal }}元",
            ),
        )
    ),
    Row(
        (
            "4. 借款期限",
            (
                "是否到期：{{ loan.matured_box }}",
                "约定期限：{{ loan.term_months }}个月，自{{ loan.disbursed_on }}起至"
                "{{ loan.maturity_on }}止",
            ),
        )
    ),
    Row(
        (
            "5. 借款利率",
            (
                "年利率{{ loan.annual_rate }}（合同条款：第{{ blank }}条）",
                "逾期上浮（罚息）：■是 □否，逾期罚息年利率{{ loan.penalty_rate }}",
                "复利：□是 □否　违约金：□是 □否",
            ),
        )
    ),
    Row(
        (
            "6. 借款发放时间、金额",
            ("{{ loan.disbursed_on }}，{{ loan.currency }}{{ loan.principal }}元",),
        )
    ),
    Row(("7. 还款方式", ("{{ loan.repayment_boxes }}",))),
    Row(
        (
            "8. 还款情况",
            (
                "已还本金：{{ loan.repaid_principal }}元",
                "已还利息：{{ loan.repaid_interest }}元，还息至{{ loan.interest_paid_through }}",
            ),
        )
    ),
    Row(
        (
            "9. 是否存在逾期还款",
            (
                "{{ loan.overdue_box }}　自{{ loan.overdue_since }}起逾期，"
                "截至{{ as_of }}已逾期{{ loan.dpd }}天",
            ),
        )
    ),
    Row(
        (
            "10. 是否签订物的担保（抵押、质押）合同",
            ("{{ loan.secured_box }}　签订时间：{{ blank }}",),
        )
    ),
    Row(
        (
            "11. 担保人、担保物",
            (
                when(
                    "has_guarantors",
                    "保证人：{{ guarantor_names }}",
                    otherwise=("保证人：无",),
                ),
                "担保物：{{ blank }}",
            ),
        )
    ),
    Row(
        (
            "12. 是否最高额担保（抵押、质押）",
            ("是□ 否□　债权确定时间：{{ blank }}　担保额度：{{ blank }}",),
        )
    ),
    Row(("13. 是否办理抵押、质押登记", ("正式登记□ 预告登记□ 否□",))),
    Row(
        (
            "14. 是否签订保证合同",
            (
                when(
                    "has_guarantors",
                    "■是 □否　签订时间：{{ blank }}　保证人：{{ guarantor_names }}",
                    "主要内容：{{ blank }}",
                    otherwise=("□是 ■否",),
                ),
            ),
        )
    ),
    Row(("15. 保证方式", ("一般保证□ 连带责任保证□",))),
    Row(("16. 其他担保方式", ("是□ 形式：{{ blank }}　签订时间：{{ blank }}", "否□"))),
    Row(
        (
            "17. 请求承担责任的依据",
            (
                "合同约定：《{{ loan.contract_name }}》第{{ blank }}条",
                "法律规定：《中华人民共和国民法典》第六百六十七条、第六百七十四条、"
                "第六百七十五条、第六百七十六条{% if has_guarantors %}、第六百八十一条{% endif %}",
            ),
        )
    ),
    Row(
        (
            "18. 其他需要说明的内容（可另附页）",
            (
                when(
                    "claim.cap_reduced",
                    "（提交前核对：按{{ claim.cap_rule }}，利息、罚息及费用超出年利率"
                    "{{ claim.cap_rate }}上限{{ claim.cap_reduction }}元，可获支持的总额为"
                    "{{ claim.total_supportable }}元；请决定是否放弃超出部分并相应调整标的总额）",
                    otherwise=("无",),
                ),
            ),
        )
    ),
    Row(
        (
            "19. 证据清单（可另附页）",
            (each("item in evidence", "证据{{ item.no }}：{{ item.name }}"), "详见《证据清单》"),
        )
    ),
)

MEDIATION = (
    Band("纠纷解决意愿"),
    Row(
        (
            "您是否了解调解及诉前调解的好处",
            (
                "1. 调解是在人民法院或调解组织主持下，双方自愿协商解决纠纷的方式，"
                "可以快速化解纠纷，节约时间和费用",
                "2. 诉前调解成功并自动履行的，不交纳诉讼费用",
                "3. 调解协议经司法确认的，不交纳诉讼费用",
                "4. 以调解方式结案的，案件受理费减半交纳",
                "5. 调解不公开进行，有利于保护商业信誉和个人隐私",
                "了解□ 不了解□",
            ),
        )
    ),
    Row(
        (
            "是否考虑先行调解",
            ("是□ 否□ 暂不确定，想要了解更多内容□",),
        )
    ),
)

COMPLAINT: tuple[Content, ...] = (
    Para("民事起诉状", "title"),
    Para("（金融借款合同纠纷）", "subtitle"),
    *NOTES,
    Table((28, 72), (*PARTIES, *CLAIMS, *FORUM, *FACTS, *MEDIATION)),
    *addressed_and_signed("具状人"),
    Para(
        "附：1. 本起诉状副本{{ defendant_count }}份；2. 证据清单及证据材料一套；"
        "3. 原告主体资格证明。",
        "plain",
    ),
    *claim_table(),
)
