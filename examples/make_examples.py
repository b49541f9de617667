"""Writes the example tapes in this directory (run from the repository root with the venv's
python: ``.venv/bin/python examples/make_examples.py``). The files are committed; this
script says how they were made and rebuilds them after an edit."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

# The tapes read best as rows.
# fmt: off
LOAN_HEADERS = [
    "借据号", "借款人", "证件号码", "借款金额", "年利率", "期数", "还款方式", "放款日",
    "手机号", "邮箱", "地址", "工作单位", "担保人", "担保人证件号码", "担保人电话", "产品",
    "机构", "担保方式",
]
# Real-world resident ID numbers: the first three hold district codes created after the
# holder's birth year (the number is assigned at registration), which Arrears accepts.
LOANS_XLSX = [
    ["EX2026001", "林志强", "440305197012232493", "80,000.00", "18%", "12", "等额本息",
     "2026-01-15", "138 0013 8000", "lin.zq@example.com", "广东省深圳市南山区科技园南路8号",
     "深圳某科技有限公司", "", "", "", "CONSUMER", "深圳分公司", "信用"],
    ["EX2026002", "王建国", "510107196709075091", "300000", "12", "24", "等额本金",
     "2026/2/1", "+86 139-8000-1234", "", "四川省成都市武侯区人民南路四段1号",
     "成都某商贸有限公司", "陈晓梅", "510104197206152345", "13980001235", "GUARANTEED",
     "成都分公司", "保证"],
    ["EX2026003", "张丽华", "330106197404194887", "50000", "21.6%", "12", "等额本息",
     "2026年3月10日", "15857100000", "zhang.lh@example.com", "浙江省杭州市西湖区文三路100号",
     "", "", "", "", "CONSUMER", "杭州分公司", "信用"],
    ["EX2026004", "刘洋", "310115199003071239", "120000", "9.6", "36", "先息后本",
     "2026-01-05", "13601700000", "", "上海市浦东新区世纪大道100号", "上海某物流有限公司",
     "", "", "", "BUSINESS", "上海分公司", "抵押"],
    ["EX2026005", "赵敏", "110105198805201221", "30000", "23.9%", "6", "等额本息",
     "2026-05-20", "18610100000", "", "北京市朝阳区建国路88号", "", "", "", "",
     "CONSUMER", "北京分公司", "信用"],
    ["EX2026006", "周杰", "420106199512121213", "200000", "10.8", "12", "到期还本付息",
     "2026-04-01", "13307100000", "", "湖北省武汉市武昌区中北路1号", "", "吴芳",
     "420106199001011223", "13307100001", "GUARANTEED", "总部", "保证"],
]
LOANS_GBK = [
    ["EX2026007", "孙浩", "320102198507150016", "60000", "18", "12", "等额本息",
     "2026-02-20", "13951700000", "", "江苏省南京市玄武区中山路1号", "", "", "", "",
     "CONSUMER", "总部", "信用"],
    ["EX2026008", "郑秀英", "370102196008080025", "150000", "13.2%", "24", "等额本金",
     "2026-03-01", "15305310000", "", "山东省济南市历下区泉城路1号", "", "钱伟",
     "370102196505050011", "15305310001", "GUARANTEED", "总部", "保证"],
]
# Rows a core system really exports now and then: each is rejected with all its reasons.
LOANS_WITH_ERRORS = [
    ["EX2026101", "马超", "440305197012232494", "50000", "18", "12", "等额本息", "2026-01-10",
     "13800138002", "", "", "", "", "", "", "CONSUMER", "总部", "信用"],
    ["EX2026102", "黄蓉", "999999199001011234", "0", "0.18", "12", "等额本息", "2026-02-30",
     "12345", "not-an-email", "", "", "", "", "", "CONSUMER", "总部", "信用"],
    ["EX2026103", "郭靖", "110105198805201221", "", "18", "700", "按月付", "2026-03-01",
     "13800138003", "", "", "", "", "", "", "CONSUMER", "总部", "信用"],
    ["EX2026104", "杨过", "110105199207011238", "20000", "18%", "12", "等额本息", "2026-03-05",
     "13800138004", "", "北京市朝阳区", "", "", "", "", "CONSUMER", "北京分公司", "信用"],
]
PAYMENT_HEADERS = ["流水号", "借据号", "还款日期", "金额", "渠道"]
PAYMENTS = [
    ["PAY-EX-0001", "EX2026001", "2026-02-15", "7,334.00", "银行代扣"],
    ["PAY-EX-0002", "EX2026001", "2026-03-15", "7,334.00", "银行代扣"],
    ["PAY-EX-0003", "EX2026002", "2026-03-01", "15,500.00", "对公转账"],
    ["PAY-EX-0004", "EX2026003", "2026-04-10", "4,667.00", "微信支付"],
    ["PAY-EX-0005", "EX2026004", "2026-02-05", "960.00", "对公转账"],
    ["PAY-EX-0006", "EX2026007", "2026-03-20", "5,500.00", "支付宝"],
]
PARTY_HEADERS = ["借据号", "角色", "姓名", "证件号码", "手机号", "邮箱", "地址"]
PARTIES = [
    ["EX2026001", "紧急联系人", "林小红", "", "13800138001", "", ""],
    ["EX2026004", "共同借款人", "刘芳", "310115199205051228", "13601700001", "",
     "上海市浦东新区世纪大道100号"],
    ["EX2026006", "反担保人", "周建华", "420106196802020011", "13307100002", "", ""],
]

# fmt: on


def _csv(path: Path, headers: list[str], rows: list[list[str]], encoding: str) -> None:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)


def main() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "借据"
    sheet.append(LOAN_HEADERS)
    for row in LOANS_XLSX:
        sheet.append(row)
    book.save(HERE / "loans.xlsx")
    # What Excel in China saves as "CSV": GBK, no BOM.
    _csv(HERE / "loans-gbk.csv", LOAN_HEADERS, LOANS_GBK, "gbk")
    _csv(HERE / "loans-with-errors.csv", LOAN_HEADERS, LOANS_WITH_ERRORS, "utf-8-sig")
    _csv(HERE / "payments.csv", PAYMENT_HEADERS, PAYMENTS, "utf-8-sig")
    _csv(HERE / "parties.csv", PARTY_HEADERS, PARTIES, "utf-8-sig")


if __name__ == "__main__":
    main()
