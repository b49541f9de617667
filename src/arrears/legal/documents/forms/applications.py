"""Applications to a court: 支付令申请书 (民事诉讼法 arts. 225–228), 财产保全申请书
(arts. 103–104) and 强制执行申请书 (art. 247; doubled interest for late performance, art. 264)."""

from __future__ import annotations

from arrears.legal.documents.forms.common import (
    addressed_and_signed,
    applicant,
    claim_table,
    respondents,
)
from arrears.legal.documents.layout import Content, Para, when

# The claimed components in one sentence, with fees and costs only when there are any.
AMOUNTS = (
    "借款本金{{ claim.principal }}元{{ claim.principal_split }}、期内利息{{ claim.interest }}元、"
    "罚息{{ claim.penalty }}元"
    "{% if claim.has_fees %}、费用{{ claim.fees }}元{% endif %}"
    "{% if claim.has_costs %}、实现债权的费用{{ claim.costs }}元{% endif %}，"
    "合计{{ claim.total }}元（{{ claim.total_capital }}）"
)
LOAN_FACTS = (
    "{{ borrower_names }}与{{ own_word }}签订《{{ loan.contract_name }}》（合同编号："
    "{{ loan.loan_id }}），约定借款本金{{ loan.principal }}元，期限{{ loan.term_months }}个月，"
    "年利率{{ loan.annual_rate }}，逾期罚息年利率{{ loan.penalty_rate }}，还款方式为"
    "{{ loan.repayment_method }}。{{ own_word }}已于{{ loan.disbursed_on }}依约发放借款"
    "{{ loan.principal }}元。{% if has_guarantors %}{{ guarantor_names }}为上述借款提供保证担保。"
    "{% endif %}"
)
ARREARS_FACTS = (
    "借款人已还本金{{ loan.repaid_principal }}元、利息{{ loan.repaid_interest }}元，自"
    "{{ loan.overdue_since }}起未按约定还款，截至{{ as_of }}已逾期{{ loan.dpd }}天，尚欠"
    + AMOUNTS
    + "。{% if claim.accelerated %}{{ own_word }}已依约宣布借款提前到期。{% endif %}"
    "经{{ own_word }}多次催收，至今未清偿。"
)

PAYMENT_ORDER_APPLICATION: tuple[Content, ...] = (
    Para("支付令申请书", "title"),
    *applicant("申请人"),
    respondents("被申请人", "borrowers"),
    Para("请求事项：", "heading"),
    Para(
        "一、请求人民法院向被申请人{{ borrower_names }}发出支付令，督促其向申请人支付截至"
        "{{ as_of }}的" + AMOUNTS + "；"
    ),
    Para("二、督促被申请人支付罚息：{{ claim.interest_method }}；"),
    Para("三、本案申请费用由被申请人负担。"),
    when(
        "claim.has_undue_principal",
        Para(
            "（提交前核对：支付令只适用于已到期的金钱债务。借款未宣布提前到期的，"
            "请从请求中扣除未到期本金，或先依约宣布提前到期。）",
            "note",
        ),
    ),
    Para("事实与理由：", "heading"),
    Para(LOAN_FACTS),
    Para(ARREARS_FACTS),
    Para(
        "申请人与被申请人之间债权债务关系明确、合法，所欠款项已到期且数额确定，申请人对被申请人"
        "没有对待给付义务，被申请人在我国境内且支付令能够送达，申请人未就本债权申请诉前保全，"
        "双方之间没有其他债务纠纷。根据《中华人民共和国民事诉讼法》第二百二十五条之规定，"
        "特向贵院申请支付令，请依法督促被申请人履行还款义务。"
    ),
    *addressed_and_signed("申请人"),
    Para(
        "附：1. 申请书副本{{ borrower_count }}份；2. 证据材料（见《证据清单》）；"
        "3. 申请人主体资格证明。",
        "plain",
    ),
    *claim_table(),
)

PRESERVATION_APPLICATION: tuple[Content, ...] = (
    Para("财产保全申请书", "title"),
    *applicant("申请人"),
    respondents("被申请人", "defendants"),
    Para("请求事项：", "heading"),
    Para(
        "请求依法冻结被申请人{{ defendant_names }}名下银行存款人民币{{ claim.total }}元"
        "（{{ claim.total_capital }}），或查封、扣押、冻结其名下价值相当的其他财产。"
    ),
    Para("事实与理由：", "heading"),
    Para(
        "申请人与被申请人因金融借款合同纠纷（案号：{{ case_number }}）申请财产保全。" + LOAN_FACTS
    ),
    Para(ARREARS_FACTS),
    Para(
        "为防止被申请人转移、隐匿财产，致使将来生效法律文书难以执行或者造成申请人其他损害，"
        "根据《中华人民共和国民事诉讼法》第一百零三条、第一百零四条之规定，特申请财产保全。"
    ),
    Para(
        "申请人愿意提供担保，担保方式：{{ blank }}（现金、保险公司保函或财产担保）。"
        "如因申请错误给被申请人造成损失，申请人愿依法承担赔偿责任。"
    ),
    Para("被申请人财产线索：{{ blank }}"),
    *addressed_and_signed("申请人"),
)

ENFORCEMENT_APPLICATION: tuple[Content, ...] = (
    Para("强制执行申请书", "title"),
    *applicant("申请执行人"),
    respondents("被执行人", "defendants"),
    Para("执行依据：", "heading"),
    Para(
        "{{ basis.court }}（{{ basis.case_number }}）{{ basis.document }}，作出日期："
        "{{ basis.decided_on }}，生效日期：{{ basis.effective_on }}。"
    ),
    Para("执行请求：", "heading"),
    Para(
        "一、请求强制执行被执行人{{ defendant_names }}向申请执行人支付截至{{ as_of }}的"
        + AMOUNTS
        + "（以生效法律文书确定的数额为准）；"
    ),
    Para("二、被执行人支付生效法律文书确定的罚息：{{ claim.interest_method }}；"),
    Para(
        "三、被执行人加倍支付迟延履行期间的债务利息（自生效法律文书确定的履行期间届满之次日起，"
        "按日万分之一点七五计算至实际履行之日止）；"
    ),
    Para("四、本案执行费用由被执行人负担。"),
    Para("事实与理由：", "heading"),
    Para(
        "申请执行人与被执行人金融借款合同纠纷一案，{{ basis.court }}作出的"
        "（{{ basis.case_number }}）{{ basis.document }}已发生法律效力。"
        "{% if has_guarantors %}被执行人{{ guarantor_names }}依法对上述债务承担保证责任。"
        "{% endif %}"
        "被执行人未在生效法律文书确定的期限内履行义务。根据《中华人民共和国民事诉讼法》"
        "第二百四十七条之规定，特申请强制执行。"
    ),
    Para("被执行人财产线索：{{ blank }}"),
    *addressed_and_signed("申请执行人"),
    Para("附：1. 生效法律文书副本；2. 生效证明；3. 申请执行人主体资格证明。", "plain"),
    when("claim_lines", Para("（下附截至{{ as_of }}的欠款计算明细，供核对。）", "note")),
    *claim_table(),
)
