"""Synthetic but realistic identities and loan tapes, for the demo portfolio and benchmarks.

Names are common Chinese names, resident IDs have real region codes and valid check
digits, company codes are valid unified social credit codes, and phones are well-formed
mobile numbers in ranges Chinese carriers use. Pure module: no Django import.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
    "许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚"
    "桂英华建国志红玉梅鹏飞宇浩然子轩欣怡晨阳思雨佳琪文博雅婷俊凯"
)
# County-level codes present in the national register, with the first birth year the
# register accepts for them (python-stdnum's data: most present codes date from 1983).
REGIONS = (
    ("110101", "北京市东城区", 1950),
    ("110105", "北京市朝阳区", 1950),
    ("310104", "上海市徐汇区", 1950),
    ("120101", "天津市和平区", 1950),
    ("440305", "广东省深圳市南山区", 1983),
    ("440106", "广东省广州市天河区", 1985),
    ("330106", "浙江省杭州市西湖区", 1983),
    ("420106", "湖北省武汉市武昌区", 1983),
    ("320102", "江苏省南京市玄武区", 1983),
    ("370102", "山东省济南市历下区", 1983),
    ("610113", "陕西省西安市雁塔区", 1983),
    ("430104", "湖南省长沙市岳麓区", 1983),
    ("350203", "福建省厦门市思明区", 1983),
    ("210102", "辽宁省沈阳市和平区", 1983),
    ("410105", "河南省郑州市金水区", 1983),
    ("130102", "河北省石家庄市长安区", 1983),
)
STREETS = [
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "和平路",
    "新华路",
    "文化路",
    "朝阳路",
    "胜利路",
    "友谊路",
]
COMPANY_WORDS = [
    "华信",
    "鼎盛",
    "宏达",
    "恒通",
    "金桥",
    "顺丰",
    "瑞祥",
    "永辉",
    "博远",
    "新元",
    "天成",
    "嘉禾",
]
COMPANY_TRADES = ["商贸", "科技", "建材", "餐饮", "物流", "服装", "电子", "农业"]
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "166",
    "177",
    "180",
    "186",
    "187",
    "189",
    "199",
]
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(rng: random.Random, *, born: date | None = None) -> tuple[str, str]:
    """A valid 18-digit resident ID and the matching birthplace region name."""
    code, region, since = rng.choice(REGIONS)
    if born is None:
        first = date(max(since, 1962), 1, 1)
        born = first + timedelta(days=rng.randrange((date(2003, 12, 31) - first).days))
    body = f"{code}{born:%Y%m%d}{rng.randrange(1, 1000):03d}"
    # ISO 7064 MOD 11-2, as GB 11643 specifies.
    checksum = (1 - 2 * int(body, 13)) % 11
    return body + ("X" if checksum == 10 else str(checksum)), region


def unique_resident_id(
    rng: random.Random, used: set[str], *, born: date | None = None
) -> tuple[str, str]:
    """``resident_id`` never returned before for ``used``: random ID numbers collide
    (birthday paradox) at tens of thousands, and one ID with two names is a tape error."""
    while True:
        number, region = resident_id(rng, born=born)
        if number not in used:
            used.add(number)
            return number, region


def company_code(rng: random.Random) -> str:
    """A valid unified social credit code (GB 32100) of a company registered in a region."""
    org = "".join(rng.choice(_ORG_CHARS[:10]) for _ in range(8))
    org_check = (
        11 - sum(_ORG_CHARS.index(c) * w for c, w in zip(org, _ORG_WEIGHTS, strict=True)) % 11
    )
    org += "X" if org_check == 10 else ("0" if org_check == 11 else str(org_check))
    body = "91" + rng.choice(REGIONS)[0] + org
    check = (
        31 - sum(_USCC_CHARS.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True)) % 31
    )
    return body + _USCC_CHARS[0 if check == 31 else check]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def company_name(rng: random.Random, region: str) -> str:
    city = region[3:5] if region.startswith(("广东", "浙江", "湖北", "江苏")) else region[:2]
    return f"{city}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_TRADES)}有限公司"


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def address(rng: random.Random, region: str) -> str:
    return f"{region}{rng.choice(STREETS)}{rng.randrange(1, 999)}号{rng.randrange(1, 30)}栋"


BENCH_COLUMNS = [
    "loan_id",
    "borrower_name",
    "borrower_id_number",
    "principal",
    "annual_rate",
    "term_months",
    "repayment_method",
    "disbursed_on",
    "borrower_phone",
    "product",
    "guarantor_name",
    "guarantor_id_number",
    "guarantor_phone",
]


def bench_loan_rows(count: int, *, seed: int = 7, term_months: int = 12) -> Iterator[list[str]]:
    """Rows of a synthetic loans tape: ``count`` loans of ``term_months`` installments."""
    rng = random.Random(seed)
    methods = ("annuity", "annuity", "equal_principal", "interest_only")
    start = date(2025, 1, 1)
    used: set[str] = set()
    for number in range(1, count + 1):
        id_number, _ = unique_resident_id(rng, used)
        guaranteed = number % 5 == 0
        guarantor = unique_resident_id(rng, used)[0] if guaranteed else ""
        yield [
            f"B{number:08d}",
            person_name(rng),
            id_number,
            f"{rng.randrange(5_000, 300_000)}.{rng.randrange(100):02d}",
            f"{rng.choice((7.2, 9.6, 12, 15.4, 18, 23.9))}%",
            str(term_months),
            methods[number % len(methods)],
            (start + timedelta(days=rng.randrange(540))).isoformat(),
            mobile(rng),
            "BENCH-GUARANTEED" if guaranteed else "BENCH-CONSUMER",
            person_name(rng) if guaranteed else "",
            guarantor,
            mobile(rng) if guaranteed else "",
        ]


def write_bench_tape(path: Path, count: int, *, seed: int = 7) -> Path:
    """Write a synthetic loans tape of ``count`` loans as UTF-8 CSV."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(BENCH_COLUMNS)
        writer.writerows(bench_loan_rows(count, seed=seed))
    return path
