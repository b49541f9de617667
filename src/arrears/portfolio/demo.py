"""The demo portfolio: a small-loan company's book with realistic repayment behaviour.

Generates three tapes (loans with Chinese headers, payments, extra parties) as a lender
would export them, so the demo goes through the same importer as real data. About 15 % of
loans fall behind in varied ways: paying late, paying part, or stopping altogether.
Pure module: no Django import (the ``demo`` command does the importing).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from arrears.core.money import format_yuan
from arrears.portfolio.calculations.allocation import LoanTerms, PaymentIn, replay
from arrears.portfolio.calculations.schedule import ScheduledInstallment, build_schedule
from arrears.portfolio.synthetic import (
    address,
    company_code,
    company_name,
    mobile,
    person_name,
    unique_resident_id,
)


@dataclass(frozen=True)
class ProductProfile:
    """How a demo product's loans look: size, price, term and repayment method."""

    code: str
    name: str
    methods: tuple[str, ...]
    principal_yuan: tuple[int, int]
    rates: tuple[str, ...]
    terms: tuple[int, ...]
    guarantee_type: str
    grace_days: int
    company_share: float = 0.0


PRODUCTS = (
    ProductProfile(
        "CONSUMER",
        "消费贷",
        ("annuity",),
        (3_000, 50_000),
        ("18", "21.6", "23.9"),
        (6, 12, 24),
        "credit",
        3,
    ),
    ProductProfile(
        "BUSINESS",
        "经营贷",
        ("equal_principal", "interest_only", "annuity"),
        (100_000, 1_000_000),
        ("7.2", "9.6", "12"),
        (12, 24, 36),
        "mortgage",
        0,
        0.4,
    ),
    ProductProfile(
        "GUARANTEED",
        "担保贷",
        ("annuity", "equal_principal"),
        (50_000, 500_000),
        ("10.8", "13.2", "15.4"),
        (12, 24),
        "guarantee",
        0,
        0.2,
    ),
    ProductProfile(
        "BRIDGE",
        "过桥贷",
        ("bullet",),
        (200_000, 2_000_000),
        ("12", "14.4"),
        (3, 6),
        "pledge",
        0,
        0.5,
    ),
)
PRODUCT_WEIGHTS = (55, 20, 18, 7)
BEHAVIOURS = ("on_time", "early", "late", "partial", "stopped")
BEHAVIOUR_WEIGHTS = (67, 6, 7, 6, 14)
CHANNELS = ("银行代扣", "对公转账", "微信支付", "支付宝", "柜台现金")
BRANCHES = ("总部", "北京分公司", "上海分公司", "深圳分公司", "杭州分公司")

LOAN_HEADERS = [
    "借据号",
    "借款人",
    "证件号码",
    "借款金额",
    "年利率",
    "期数",
    "还款方式",
    "放款日",
    "手机号",
    "邮箱",
    "地址",
    "工作单位",
    "担保人",
    "担保人证件号码",
    "担保人电话",
    "产品",
    "机构",
    "担保方式",
]
PAYMENT_HEADERS = ["流水号", "借据号", "还款日期", "金额", "渠道"]
PARTY_HEADERS = ["借据号", "角色", "姓名", "证件号码", "手机号", "邮箱", "地址"]


# The demo's first loan is always overdue (README and docs use it): disbursed this many days
# before the demo's today, its first instalments paid on time, then nothing; so its fifth
# instalment, due about 150 days after disbursement, is some 40 days past due.
DEMO_OVERDUE_LOAN = "DEMO00000001"
OVERDUE_LOAN_AGE_DAYS = 190
OVERDUE_LOAN_PAID = 4


def demo_loan_id(number: int) -> str:
    """The demo's loan ids, the same whatever the year: DEMO00000001, DEMO00000002, ..."""
    return f"DEMO{number:08d}"


@dataclass
class DemoTapes:
    """Where the generated tapes are, and how many rows each holds."""

    loans: Path
    payments: Path
    parties: Path
    loan_count: int
    payment_count: int
    party_count: int


def _payments_for(
    rng: random.Random,
    schedule: list[ScheduledInstallment],
    terms: LoanTerms,
    behaviour: str,
    today: date,
    loan_id: str,
) -> list[tuple[str, date, int]]:
    """Payments of one loan up to ``today`` under a repayment behaviour."""
    payments: list[PaymentIn] = []
    stop_after = rng.randrange(0, max(1, len(schedule) - 1))
    partial_from = rng.randrange(0, len(schedule))
    for item in schedule:
        if behaviour == "stopped" and item.seq > stop_after:
            break
        amount = item.principal + item.interest + item.fees
        if behaviour == "late":
            paid_on = item.due_on + timedelta(days=rng.randrange(3, 40))
        elif behaviour == "early":
            paid_on = item.due_on - timedelta(days=rng.randrange(3, 15))
        else:
            paid_on = item.due_on - timedelta(days=rng.choice((0, 0, 0, 1, 2)))
        if paid_on > today:
            break
        if behaviour == "late":
            # A late payer settles what the statement says on the day, penalty included.
            state = replay(installments=schedule, payments=payments, terms=terms, as_of=paid_on)
            owed = state.overdue.total + sum(
                i.outstanding.total for i in state.installments if i.due_on == paid_on
            )
            amount = owed or amount
        elif behaviour == "partial" and item.seq > partial_from:
            amount = amount * rng.randrange(40, 80) // 100
        payments.append(PaymentIn(f"{loan_id}-{item.seq:03d}", paid_on, amount))
    return [(p.key, p.paid_on, p.amount) for p in payments if p.amount > 0]


def build_demo_tapes(directory: Path, *, loans: int, today: date, seed: int = 2026) -> DemoTapes:
    """Write the demo loans, payments and parties tapes into ``directory``."""
    rng = random.Random(seed)
    loan_rows: list[list[str]] = []
    payment_rows: list[list[str]] = []
    party_rows: list[list[str]] = []
    used: set[str] = set()
    for number in range(1, loans + 1):
        profile = rng.choices(PRODUCTS, PRODUCT_WEIGHTS)[0]
        loan_id = demo_loan_id(number)
        id_number, region = unique_resident_id(rng, used)
        company = rng.random() < profile.company_share
        name = company_name(rng, region) if company else person_name(rng)
        borrower_id = company_code(rng) if company else id_number
        principal = rng.randrange(*profile.principal_yuan) // 100 * 100 * 100
        rate = rng.choice(profile.rates)
        term = rng.choice(profile.terms)
        method = rng.choice(profile.methods)
        disbursed_on = today - timedelta(days=rng.randrange(20, 31 * (term + 3)))
        if number == 1:
            # The loan the README's examples use: always a year's loan some 40 days overdue.
            term, disbursed_on = max(term, 12), today - timedelta(days=OVERDUE_LOAN_AGE_DAYS)
            method = "annuity"  # monthly instalments (a bridge loan's single one is not due)
        guarantor = ["", "", ""]
        if profile.guarantee_type == "guarantee":
            guarantor_id, _ = unique_resident_id(rng, used)
            guarantor = [person_name(rng), guarantor_id, mobile(rng)]
        employer = "" if company else company_name(rng, region)
        loan_rows.append(
            [
                loan_id,
                name,
                borrower_id,
                format_yuan(principal),
                f"{rate}%",
                str(term),
                method,
                disbursed_on.isoformat(),
                mobile(rng),
                f"demo{number}@example.com" if rng.random() < 0.6 else "",
                address(rng, region),
                employer,
                *guarantor,
                profile.code,
                rng.choice(BRANCHES),
                profile.guarantee_type,
            ]
        )
        schedule = build_schedule(
            principal=principal,
            annual_rate=Decimal(rate) / 100,
            term_months=term,
            method=method,
            disbursed_on=disbursed_on,
        )
        terms = LoanTerms(
            penalty_rate=Decimal(rate) / 100 * Decimal("1.5"), grace_days=profile.grace_days
        )
        behaviour = rng.choices(BEHAVIOURS, BEHAVIOUR_WEIGHTS)[0]
        paid = _payments_for(rng, schedule, terms, behaviour, today, loan_id)
        if number == 1:  # paid the first four instalments on time, then stopped
            paid = [
                (f"{loan_id}-{i.seq:03d}", i.due_on, i.principal + i.interest + i.fees)
                for i in schedule[:OVERDUE_LOAN_PAID]
            ]
        for key, paid_on, amount in paid:
            payment_rows.append(
                [key, loan_id, paid_on.isoformat(), format_yuan(amount), rng.choice(CHANNELS)]
            )
        if company:
            representative_id, _ = unique_resident_id(rng, used)
            party_rows.append(
                [
                    loan_id,
                    "共同借款人",
                    person_name(rng),
                    representative_id,
                    mobile(rng),
                    "",
                    address(rng, region),
                ]
            )
        if profile.code == "GUARANTEED" and rng.random() < 0.5:
            party_rows.append(
                [
                    loan_id,
                    "反担保人",
                    person_name(rng),
                    unique_resident_id(rng, used)[0],
                    mobile(rng),
                    "",
                    "",
                ]
            )
        if rng.random() < 0.35:
            party_rows.append([loan_id, "紧急联系人", person_name(rng), "", mobile(rng), "", ""])
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for stem, headers, rows in (
        ("demo_loans", LOAN_HEADERS, loan_rows),
        ("demo_payments", PAYMENT_HEADERS, payment_rows),
        ("demo_parties", PARTY_HEADERS, party_rows),
    ):
        path = directory / f"{stem}.csv"
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(rows)
        paths.append(path)
    return DemoTapes(
        paths[0], paths[1], paths[2], len(loan_rows), len(payment_rows), len(party_rows)
    )
