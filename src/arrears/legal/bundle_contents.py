"""What goes into a loan's evidence bundle (证据材料): the numbered sections of the 证据目录 and
their files, read set-based (a fixed number of queries however many contacts, messages or
payments the loan has; never a query per row).

Everything is in full: names, ID numbers, phones and addresses, since the bundle is an
exhibit for a court (``bundle.evidence_bundle_make`` decides who may make one). CSVs are
UTF-8 with a BOM (Excel shows the Chinese) and spreadsheet-safe; times are in the server's
time zone with their offset. The loan's records from the collection side (contacts,
messages, letters, promises, the audit trail) are in ``bundle_records``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from arrears.compliance.models import Hold
from arrears.core.money import format_yuan
from arrears.core.spreadsheet import safe_csv_writer
from arrears.legal.bundle_verify import BOM
from arrears.legal.claims import claim_report, loan_claim
from arrears.legal.models import Matter
from arrears.portfolio.calculations.allocation import Components, LoanState
from arrears.portfolio.loan_report import loan_report
from arrears.portfolio.models import LimitationEvent, Loan, Waiver


@dataclass(frozen=True)
class BundleFile:
    """One file of a bundle: its path inside the zip, its bytes, and how many records it
    lists (None for a document rather than a list)."""

    name: str
    data: bytes
    records: int | None = None


@dataclass
class Section:
    """One entry of the 证据目录: a numbered folder of files, where they come from and what
    they prove."""

    number: int
    title: str
    source: str
    proves: str
    files: list[BundleFile] = field(default_factory=list)

    @property
    def folder(self) -> str:
        return f"{self.number:02d}_{self.title}"

    def add(self, name: str, data: bytes, records: int | None = None) -> None:
        """Add a file under this section's folder."""
        self.files.append(BundleFile(f"{self.folder}/{name}", data, records))

    def add_csv(self, name: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        """Add a CSV of ``rows`` (header first) under this section's folder."""
        self.add(name, csv_bytes(header, rows), len(rows))


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A spreadsheet-safe CSV: UTF-8 with a BOM, CRLF line ends."""
    out = io.StringIO()
    writer = safe_csv_writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return BOM + out.getvalue().encode("utf-8")


def json_bytes(value: Any) -> bytes:
    """Indented UTF-8 JSON with sorted keys, so the same evidence gives the same bytes."""
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def moment(value: datetime | None) -> str:
    """A stored instant in the server's time zone, to the second, with its offset."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def yes(flag: bool) -> str:
    return "是" if flag else "否"


def _sum(parts: Components) -> int:
    return parts.principal + parts.interest + parts.fees + parts.penalty


def terms_section(loan: Loan, state: LoanState) -> tuple[Section, dict[str, Any]]:
    """01: the contract's terms, the parties in full, the agreed schedule. Also answers the
    loan report (revealed), which the payments section reuses."""
    report = loan_report(loan, state, reveal=True)
    section = Section(
        1,
        "借款合同与还款计划",
        "贷款台账（借据要素、当事人信息、还款计划）",
        "借贷关系成立；借款金额、利率、罚息利率、期限、还款方式及各期应还金额；当事人身份",
    )
    terms = {key: report[key] for key in ("loan_id", "creditor", "status", "terms", "parties")}
    section.add("terms.json", json_bytes(terms))
    section.add_csv(
        "parties.csv",
        [
            "角色",
            "姓名/名称",
            "类型",
            "证件类型",
            "证件号码",
            "工作单位",
            "电话",
            "电子邮箱",
            "地址",
        ],
        [
            [
                party["role"],
                party["name"],
                party["kind"],
                party["id_type"],
                party["id_number"],
                party["employer"],
                "; ".join(point["value"] for point in party["phones"]),
                "; ".join(point["value"] for point in party["emails"]),
                "; ".join(point["value"] for point in party["addresses"]),
            ]
            for party in report["parties"]
        ],
    )
    section.add_csv(
        "schedule.csv",
        ["期数", "应还日", "应还本金", "应还利息", "应还费用", "应还合计"],
        [
            [
                item.seq,
                day(item.due_on),
                format_yuan(item.due.principal),
                format_yuan(item.due.interest),
                format_yuan(item.due.fees),
                format_yuan(_sum(item.due)),
            ]
            for item in state.installments
        ],
    )
    return section, report


def statement_section(loan: Loan, state: LoanState) -> tuple[Section, dict[str, Any]]:
    """02: the statement of account on the as-of date and the claim calculated from it."""
    section = Section(
        2,
        "对账单与诉请计算",
        "账务重演（按还款与减免逐笔冲账）及诉请计算",
        f"截至{state.as_of.isoformat()}各期已还、减免及尚欠本金、利息、费用、罚息；诉请金额的计算过程",
    )
    rows: list[list[object]] = []
    for item in state.installments:
        rows.append(
            [
                item.seq,
                day(item.due_on),
                format_yuan(_sum(item.due)),
                format_yuan(item.paid.principal),
                format_yuan(item.paid.interest),
                format_yuan(item.paid.fees),
                format_yuan(item.paid.penalty),
                format_yuan(_sum(item.waived)),
                format_yuan(item.outstanding.principal),
                format_yuan(item.outstanding.interest),
                format_yuan(item.outstanding.fees),
                format_yuan(item.outstanding.penalty),
                yes(item.is_overdue),
            ]
        )
    due, outstanding = Components(), Components()
    for item in state.installments:
        due, outstanding = due + item.due, outstanding + item.outstanding
    rows.append(
        [
            "合计",
            "",
            format_yuan(_sum(due)),
            format_yuan(state.paid.principal),
            format_yuan(state.paid.interest),
            format_yuan(state.paid.fees),
            format_yuan(state.paid.penalty),
            format_yuan(_sum(state.waived)),
            format_yuan(outstanding.principal),
            format_yuan(outstanding.interest),
            format_yuan(outstanding.fees),
            format_yuan(outstanding.penalty),
            f"逾期{state.dpd}天",
        ]
    )
    header = ["期数", "应还日", "应还合计", "已还本金", "已还利息", "已还费用", "已还罚息"]
    header += ["减免合计", "尚欠本金", "尚欠利息", "尚欠费用", "尚欠罚息", "是否逾期"]
    section.add_csv("statement.csv", header, rows)
    claim = claim_report(loan_claim(loan, as_of=state.as_of))
    section.add("claim.json", json_bytes(claim))
    columns = ("component", "label", "period_from", "period_to", "base", "rate", "days", "amount")
    lines = [[line.get(key, "") for key in columns] for line in claim.get("lines", [])]
    for key, label in (
        ("principal", "本金"),
        ("interest", "利息"),
        ("penalty", "罚息"),
        ("fees", "费用"),
        ("costs", "实现债权的费用"),
        ("total", "合计"),
    ):
        lines.append([key, label, "", "", "", "", "", claim.get(key, "")])
    header = ["项目", "说明", "起算日", "截止日", "基数", "利率", "天数", "金额"]
    section.add_csv("claim.csv", header, lines)
    return section, claim


def payments_section(loan: Loan, state: LoanState, report: dict[str, Any]) -> Section:
    """03: every payment to the as-of date, how each was applied (冲账), and waivers."""
    section = Section(
        3,
        "还款记录",
        "还款流水（债权人交易编号）、冲账明细、减免记录",
        "借款人已还款项的金额、日期及冲抵顺序；债权人减免的金额",
    )
    section.add_csv(
        "payments.csv",
        ["交易编号", "还款日", "金额", "渠道"],
        [[p["payment_id"], p["paid_on"], p["amount"], p["channel"]] for p in report["payments"]],
    )
    section.add_csv(
        "allocations.csv",
        ["交易编号/减免编号", "期数", "冲抵日", "本金", "利息", "费用", "罚息", "是否减免"],
        [
            [
                line.payment_key,
                line.seq,
                day(line.applied_on),
                format_yuan(line.principal),
                format_yuan(line.interest),
                format_yuan(line.fees),
                format_yuan(line.penalty),
                yes(line.waiver),
            ]
            for line in state.allocations
        ],
    )
    waivers = Waiver.objects.filter(loan=loan, waived_on__lte=state.as_of).order_by(
        "waived_on", "id"
    )
    section.add_csv(
        "waivers.csv",
        ["编号", "减免日", "本金", "利息", "费用", "罚息", "合计", "登记时间"],
        [
            [
                waiver.reference,
                day(waiver.waived_on),
                format_yuan(waiver.principal),
                format_yuan(waiver.interest),
                format_yuan(waiver.fees),
                format_yuan(waiver.penalty),
                format_yuan(waiver.total),
                moment(waiver.created_at),
            ]
            for waiver in waivers
        ],
    )
    return section


def limitation_section(
    loan: Loan, *, party_ids: Sequence[int], matters: list[Matter]
) -> tuple[Section, list[int]]:
    """09: what restarted the limitation period, the holds on contact, the legal matters.
    Also answers the holds' ids (their audit entries belong in the bundle)."""
    section = Section(
        9,
        "诉讼时效与法律程序",
        "诉讼时效中断事由登记、止催记录、法律事项及其进展",
        "诉讼时效中断事由（催告、承认、起诉等）；暂停催收的原因与期间；已开展的法律程序与费用",
    )
    section.add_csv(
        "limitation_events.csv",
        ["事由", "发生日", "证据", "备注", "登记人", "登记时间"],
        [
            [
                event.get_kind_display(),
                day(event.occurred_on),
                event.evidence,
                event.note,
                event.recorded_by.get_username() if event.recorded_by else "",
                moment(event.created_at),
            ]
            for event in LimitationEvent.objects.filter(loan=loan)
            .select_related("recorded_by")
            .order_by("occurred_on", "id")
        ],
    )
    holds = list(
        Hold.objects.filter(Q(loan=loan) | Q(party_id__in=list(party_ids)))
        .select_related("party", "placed_by", "lifted_by")
        .order_by("created_at", "id")
    )
    section.add_csv(
        "holds.csv",
        ["类型", "对象", "渠道", "原因", "设置人", "设置时间", "解除时间", "解除人"],
        [
            [
                hold.get_kind_display(),
                hold.party.name if hold.party else "本笔贷款",
                hold.channel,
                hold.reason,
                hold.placed_by.get_username() if hold.placed_by else "",
                moment(hold.created_at),
                moment(hold.lifted_at),
                hold.lifted_by.get_username() if hold.lifted_by else "",
            ]
            for hold in holds
        ],
    )
    _matter_files(section, matters)
    return section, [hold.pk for hold in holds]


def _matter_files(section: Section, matters: list[Matter]) -> None:
    section.add_csv(
        "matters.csv",
        ["编号", "类型", "状态", "结果", "法院", "案号", "立案日", "起诉日", "结案日", "诉请金额"],
        [
            [
                matter.pk,
                matter.get_kind_display(),
                matter.get_status_display(),
                matter.get_outcome_display(),
                matter.court,
                matter.case_number,
                day(matter.opened_on),
                day(matter.filed_on),
                day(matter.closed_on),
                format_yuan(matter.claim_amount),
            ]
            for matter in matters
        ],
    )
    section.add_csv(
        "matter_events.csv",
        ["事项编号", "事件", "日期", "金额", "备注", "登记时间"],
        [
            [
                matter.pk,
                event.get_kind_display(),
                day(event.occurred_on),
                format_yuan(event.amount),
                event.note,
                moment(event.created_at),
            ]
            for matter in matters
            for event in matter.events.all()
        ],
    )
    section.add_csv(
        "matter_costs.csv",
        ["事项编号", "费用类型", "金额", "发生日", "可向债务人主张", "备注"],
        [
            [
                matter.pk,
                cost.get_kind_display(),
                format_yuan(cost.amount),
                day(cost.incurred_on),
                yes(cost.recoverable),
                cost.note,
            ]
            for matter in matters
            for cost in matter.costs.all()
        ],
    )
