"""The columns of each tape kind, with the Chinese headers lenders' systems export."""

from __future__ import annotations

import re
from dataclasses import dataclass

from arrears.portfolio.tape.errors import TapeError, gettext_noop


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """A tape column: its canonical (English) name, Chinese aliases, and whether required."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} ({self.aliases[0]})" if self.aliases else self.name


LOAN_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("loan_id", ("借据号", "合同编号", "合同号", "借据编号", "贷款编号"), True),
    ColumnSpec("borrower_name", ("借款人", "借款人姓名", "客户名称", "姓名"), True),
    ColumnSpec(
        "borrower_id_number",
        ("证件号码", "身份证号", "身份证号码", "借款人证件号码", "统一社会信用代码"),
        True,
    ),
    ColumnSpec("principal", ("借款金额", "贷款金额", "本金", "放款金额"), True),
    ColumnSpec("annual_rate", ("年利率", "执行利率", "年化利率"), True),
    ColumnSpec("term_months", ("期数", "贷款期数", "借款期限"), True),
    ColumnSpec("repayment_method", ("还款方式",), True),
    ColumnSpec("disbursed_on", ("放款日", "放款日期", "发放日期"), True),
    ColumnSpec("first_due_on", ("首期还款日", "首次还款日")),
    ColumnSpec("penalty_rate", ("罚息利率",)),
    ColumnSpec("grace_days", ("宽限期", "宽限天数")),
    ColumnSpec("borrower_phone", ("手机号", "手机号码", "联系电话", "借款人电话")),
    ColumnSpec("borrower_email", ("邮箱", "电子邮箱")),
    ColumnSpec("borrower_address", ("地址", "联系地址", "住址")),
    ColumnSpec("borrower_employer", ("工作单位", "单位名称")),
    ColumnSpec("guarantor_name", ("担保人", "保证人", "担保人姓名")),
    ColumnSpec("guarantor_id_number", ("担保人证件号码", "担保人身份证号", "保证人证件号码")),
    ColumnSpec("guarantor_phone", ("担保人电话", "担保人手机号", "保证人电话")),
    ColumnSpec("product", ("产品", "产品名称", "贷款产品")),
    ColumnSpec("branch", ("机构", "经办机构", "分支机构")),
    ColumnSpec("guarantee_type", ("担保方式",)),
    ColumnSpec("currency", ("币种",)),
)

PAYMENT_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("payment_id", ("流水号", "交易流水号", "还款流水号"), True),
    ColumnSpec("loan_id", ("借据号", "合同编号", "合同号"), True),
    ColumnSpec("paid_on", ("还款日期", "还款日", "交易日期"), True),
    ColumnSpec("amount", ("金额", "还款金额", "交易金额"), True),
    ColumnSpec("channel", ("渠道", "还款渠道")),
)

PARTY_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("loan_id", ("借据号", "合同编号", "合同号"), True),
    ColumnSpec("role", ("角色", "关系", "身份"), True),
    ColumnSpec("name", ("姓名", "名称"), True),
    ColumnSpec("id_number", ("证件号码", "身份证号", "身份证号码")),
    ColumnSpec("phone", ("手机号", "手机号码", "电话", "联系电话")),
    ColumnSpec("email", ("邮箱", "电子邮箱")),
    ColumnSpec("address", ("地址", "联系地址")),
    # Guarantor and counter-guarantor rows only (民法典 arts. 686, 692).
    ColumnSpec("guarantee_kind", ("保证方式", "保证类型", "担保责任方式")),
    ColumnSpec("guarantee_period_ends_on", ("保证期间届满日", "保证期间截止日", "保证到期日")),
    ColumnSpec("guarantee_period_months", ("保证期间", "保证期间（月）", "保证期限")),
)

COLUMNS_BY_KIND = {"loans": LOAN_COLUMNS, "payments": PAYMENT_COLUMNS, "parties": PARTY_COLUMNS}

_FULL_WIDTH = str.maketrans("（）：＊", "():*")


def normalise_header(text: str) -> str:
    """Compare headers loosely: case, spaces, '*' markers, full-width and unit notes ignored."""
    clean = text.translate(_FULL_WIDTH).strip().lower().replace("*", "")
    clean = re.sub(r"\((元|%|天|月|yuan|percent|days)\)$", "", clean)
    return re.sub(r"[\s_\-]+", "_", clean).strip("_")


def map_headers(headers: list[str], kind: str) -> dict[str, str]:
    """Original header → canonical column name; ``TapeError`` naming all missing columns."""
    specs = COLUMNS_BY_KIND[kind]
    lookup: dict[str, str] = {}
    for spec in specs:
        lookup[normalise_header(spec.name)] = spec.name
        for alias in spec.aliases:
            lookup[normalise_header(alias)] = spec.name
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    for header in headers:
        name = lookup.get(normalise_header(header))
        if name is None:
            continue
        if name in seen:
            raise TapeError(
                gettext_noop("columns '%(first)s' and '%(second)s' both mean %(name)s"),
                first=seen[name],
                second=header,
                name=name,
            )
        seen[name] = header
        mapping[header] = name
    missing = [spec.label for spec in specs if spec.required and spec.name not in seen]
    if missing:
        raise TapeError(
            gettext_noop("required column missing: %(columns)s"), columns=", ".join(missing)
        )
    return mapping
