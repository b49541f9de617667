"""The collection side of a loan's evidence bundle: contacts, messages sent (their exact
text), letters and court papers, promises and plans, and the audit trail. Each section is a
fixed number of queries, whatever the number of rows (``bundle_contents`` has the ledger's).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from arrears.cases.activity_seal import activity_digest
from arrears.cases.models import Activity, Promise, RepaymentPlan, Settlement
from arrears.compliance.models import ContactAttempt
from arrears.core.models import AuditEntry
from arrears.core.money import format_yuan
from arrears.legal.bundle_contents import Section, day, moment, yes
from arrears.legal.models import LegalDocument
from arrears.outreach.choices import MessageStatus
from arrears.outreach.letters import batch_dir, letter_file_name, read_manifest
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import Loan

# What counts as sent: handed to a provider and not reported failed. ``unknown`` (a worker
# died mid-request) may or may not have reached the party, so it is listed too, as such.
SENT = (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.UNKNOWN)
PROMISE_COLUMNS = (
    *("编号", "案件", "承诺人", "金额", "承诺日", "到期日", "宽限天数", "状态", "已还"),
    *("结果日", "记录人", "登记时间"),
)
PLAN_COLUMNS = (
    *("编号", "案件", "金额", "首付", "期数", "首期日", "状态", "原因", "申请人", "审批人"),
    *("审批时间", "审批意见", "订立日", "结束日"),
)
SETTLEMENT_COLUMNS = (
    *("编号", "案件", "减免本金", "减免利息", "减免费用", "减免罚息", "还款金额", "还款期限"),
    *("原因", "状态", "申请人", "审批人", "审批时间", "申请日"),
)
AUDIT_COLUMNS = (
    *("序号", "时间", "操作人", "动作", "对象类型", "对象编号", "内容", "前一哈希", "本条哈希"),
    "密钥编号",
)


@dataclass(frozen=True)
class LoanPeople:
    """Who is on the loan, by party id: name and role (for rows that hold only the id)."""

    names: dict[int, str]
    roles: dict[int, str]
    contact_point_ids: list[int]


def _user(user: object) -> str:
    get_username = getattr(user, "get_username", None)
    return str(get_username()) if get_username else ""


def contacts_section(case_ids: Sequence[int], loan: Loan) -> Section:
    """04: every contact recorded by a person (sealed activities) and every contact made
    or attempted that the gate counts (including the outbox's and agencies')."""
    section = Section(
        4,
        "催收记录",
        "催收作业记录（催记，逐条封存SHA-256）及合规闸门登记的联系尝试",
        "债权人持续主张权利（诉讼时效中断）；催收方式、时间与频次合规；债务人对欠款的知悉与答复",
    )
    activities = (
        Activity.objects.filter(case_id__in=list(case_ids))
        .select_related("party", "by", "contact_point")
        .order_by("at", "id")
    )
    rows = [
        [
            activity.pk,
            moment(activity.at),
            activity.case_id,
            activity.party.name,
            activity.contact_point.value if activity.contact_point else "",
            activity.get_channel_display(),
            activity.get_party_reached_display(),
            activity.get_outcome_display(),
            activity.get_reason_display() if activity.reason else "",
            activity.notes,
            moment(activity.next_follow_up_at),
            _user(activity.by),
            moment(activity.created_at),
            activity.sha256,
            yes(activity_digest(activity) == activity.sha256),
        ]
        for activity in activities
    ]
    header = ["编号", "时间", "案件", "对象", "联系方式", "渠道", "接触对象", "结果", "逾期原因"]
    header += ["记录内容", "下次跟进", "记录人", "登记时间", "SHA-256", "封存校验一致"]
    section.add_csv("contacts.csv", header, rows)
    attempts = ContactAttempt.objects.filter(loan=loan).select_related("party").order_by("at", "id")
    section.add_csv(
        "attempts.csv",
        ["时间", "对象", "角色", "渠道", "号码/地址", "结果", "联系人", "登记时间"],
        [
            [
                moment(attempt.at),
                attempt.party.name,
                attempt.role,
                attempt.get_channel_display(),
                attempt.number,
                attempt.get_outcome_display(),
                attempt.by,
                moment(attempt.created_at),
            ]
            for attempt in attempts
        ],
    )
    return section


def messages_sections(
    case_ids: Sequence[int], loan: Loan, people: LoanPeople
) -> tuple[Section, list[OutboxMessage]]:
    """05: every message sent about the loan, each with its exact text in a file of its own
    whose SHA-256 is checked against the one stored when it was sent."""
    section = Section(
        5,
        "发送的信息",
        "信息发送记录（短信、电子邮件、函件的发送文本与发送时存档的SHA-256）",
        "已向债务人发出催收通知及其确切内容与发送时间（诉讼时效中断、送达）",
    )
    messages = list(
        OutboxMessage.objects.filter(
            case_id__in=list(case_ids), loan_id=loan.pk, status__in=SENT
        ).order_by("sent_at", "id")
    )
    rows = []
    for message in messages:
        text = message.body.encode("utf-8")
        name = f"messages/{message.pk}.txt"
        section.add(name, text)
        digest = hashlib.sha256(text).hexdigest()
        rows.append(
            [
                message.pk,
                message.case_id,
                people.names.get(message.party_id, ""),
                message.channel,
                message.purpose,
                message.template,
                message.template_version if message.template_version is not None else "",
                message.to,
                message.get_status_display(),
                moment(message.sent_at),
                moment(message.delivered_at),
                message.provider_id,
                message.body_sha256,
                digest,
                yes(digest == message.body_sha256),
                f"{section.folder}/{name}",
            ]
        )
    header = ["编号", "案件", "收件人", "渠道", "用途", "模板", "模板版本", "发送至", "状态"]
    header += ["发送时间", "送达时间", "服务商编号", "存档SHA-256", "文本SHA-256", "一致", "文件"]
    section.add_csv("messages.csv", header, rows)
    return section, messages


def _letter_pdf(message: OutboxMessage) -> tuple[date, Path] | None:
    """Where a letter's PDF sits in the print batches: the batch of the day it was sent,
    else of the day it was due, else whichever batch holds a file of its name."""
    name = letter_file_name(message.pk)
    days = [timezone.localtime(t).date() for t in (message.sent_at, message.due_at) if t]
    for candidate in days:
        path = batch_dir(candidate) / name
        if path.is_file():
            return candidate, path
    root = Path(settings.DATA_DIR) / "letters"
    for path in sorted(root.glob(f"*/{name}")) if root.is_dir() else []:
        try:
            return date.fromisoformat(path.parent.name), path
        except ValueError:
            continue
    return None


def papers_section(
    loan: Loan, messages: list[OutboxMessage], people: LoanPeople
) -> tuple[Section, list[int]]:
    """06: the letters as printed (PDFs from the print batches) and the court papers drafted
    for the loan, each with the SHA-256 recorded when it was made. Also answers the
    documents' ids (their audit entries belong in the bundle)."""
    section = Section(
        6,
        "函件与文书",
        "函件打印批次（PDF及批次清单）与系统生成的法律文书",
        "书面催收函件的寄送与内容；已起草的法律文书",
    )
    letters = []
    for message in (m for m in messages if m.channel == "letter"):
        found = _letter_pdf(message)
        if found is None:
            letters.append([message.pk, people.names.get(message.party_id, ""), "", "", "", "缺失"])
            continue
        batch_day, path = found
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        listed = {row.file: row.sha256 for row in read_manifest(batch_day)}
        name = f"letters/{message.pk}.pdf"
        section.add(name, data)
        letters.append(
            [
                message.pk,
                people.names.get(message.party_id, ""),
                batch_day.isoformat(),
                f"{section.folder}/{name}",
                digest,
                yes(listed.get(path.name) == digest),
            ]
        )
    section.add_csv(
        "letters.csv",
        ["信息编号", "收件人", "批次日期", "文件", "SHA-256", "与批次清单一致"],
        letters,
    )
    documents = []
    root = Path(settings.DATA_DIR).resolve()
    papers = list(LegalDocument.objects.filter(loan=loan).order_by("created_at", "id"))
    for document in papers:
        path = (root / document.path).resolve()
        name = f"documents/{document.pk}_{document.kind}.{document.format}"
        row: list[object] = [document.pk, document.get_kind_display(), document.format]
        row += [day(document.as_of), moment(document.created_at), document.sha256]
        # A stored path is never followed outside the data directory.
        if not path.is_relative_to(root) or not path.is_file():
            documents.append([*row, "", "", "缺失"])
            continue
        data = path.read_bytes()
        section.add(name, data)
        digest = hashlib.sha256(data).hexdigest()
        documents.append([*row, digest, yes(digest == document.sha256), f"{section.folder}/{name}"])
    header = ["编号", "文书", "格式", "数据截至", "生成时间", "存档SHA-256", "文件SHA-256"]
    section.add_csv("documents.csv", [*header, "一致", "文件"], documents)
    return section, [document.pk for document in papers]


def promises_section(
    case_ids: Sequence[int], people: LoanPeople
) -> tuple[Section, list[int], list[int]]:
    """07: promises to pay, repayment plans with their installments, and waiver requests:
    the debtor's acknowledgments of the debt. Also answers the plan and settlement ids
    (their audit entries belong in the bundle)."""
    section = Section(
        7,
        "承诺与分期",
        "还款承诺、分期还款方案及减免申请记录",
        "债务人对债务的承认及还款意愿（诉讼时效中断）；协商还款的经过",
    )
    ids = list(case_ids)
    promises = (
        Promise.objects.filter(case_id__in=ids).select_related("by").order_by("made_on", "id")
    )
    section.add_csv(
        "promises.csv",
        PROMISE_COLUMNS,
        [
            [
                p.pk, p.case_id, people.names.get(p.party_id, ""), format_yuan(p.amount),
                day(p.made_on), day(p.due_on), p.tolerance_days, p.get_status_display(),
                format_yuan(p.paid), day(p.resolved_on), _user(p.by), moment(p.created_at),
            ]
            for p in promises
        ],
    )  # fmt: skip
    plans = list(
        RepaymentPlan.objects.filter(case_id__in=ids)
        .select_related("requested_by", "decided_by")
        .prefetch_related("lines")
        .order_by("made_on", "id")
    )
    section.add_csv(
        "plans.csv",
        PLAN_COLUMNS,
        [
            [
                plan.pk, plan.case_id, format_yuan(plan.total), format_yuan(plan.down_payment),
                plan.installments, day(plan.start_on), plan.get_status_display(), plan.reason,
                _user(plan.requested_by), _user(plan.decided_by), moment(plan.decided_at),
                plan.decision_note, day(plan.made_on), day(plan.ended_on),
            ]
            for plan in plans
        ],
    )  # fmt: skip
    section.add_csv(
        "plan_installments.csv",
        ["方案编号", "期次", "到期日", "金额", "已还"],
        [
            [
                plan.pk,
                line.number,
                day(line.due_on),
                format_yuan(line.amount),
                format_yuan(line.paid),
            ]
            for plan in plans
            for line in plan.lines.all()
        ],
    )
    settlements = list(
        Settlement.objects.filter(case_id__in=ids)
        .select_related("requested_by", "decided_by")
        .order_by("made_on", "id")
    )
    section.add_csv(
        "settlements.csv",
        SETTLEMENT_COLUMNS,
        [
            [
                s.pk, s.case_id, format_yuan(s.waive_principal), format_yuan(s.waive_interest),
                format_yuan(s.waive_fees), format_yuan(s.waive_penalty), format_yuan(s.pay_amount),
                day(s.pay_by), s.reason, s.get_status_display(), _user(s.requested_by),
                _user(s.decided_by), moment(s.decided_at), day(s.made_on),
            ]
            for s in settlements
        ],
    )  # fmt: skip
    return section, [plan.pk for plan in plans], [s.pk for s in settlements]


def audit_section(subjects: Mapping[str, Sequence[object]]) -> Section:
    """08: the audit log's entries about the loan, its cases, parties, contact points,
    plans, settlements, holds, matters and documents (one query), with their chain hashes.

    ``subjects`` maps a subject type (``"case"``) to ids; each type is also matched in the
    ``app.model`` form the admin's audited edits use (``"cases.collectioncase"``)."""
    section = Section(
        8,
        "审计记录",
        "系统审计日志（带密钥的哈希链，逐条签名，不可改写）",
        "上述记录的形成时间、操作人与操作内容；记录未被篡改",
    )
    where = Q(pk__in=[])
    for subject_type, ids in subjects.items():
        if ids:
            where |= Q(subject_type=subject_type, subject_id__in=[str(x) for x in ids])
    entries = AuditEntry.objects.filter(where).order_by("number")
    section.add_csv(
        "audit.csv",
        AUDIT_COLUMNS,
        [
            [
                entry.number, moment(entry.at), entry.actor_name, entry.action,
                entry.subject_type, entry.subject_id,
                json.dumps(entry.data, ensure_ascii=False, sort_keys=True) if entry.data else "",
                entry.prev_hash, entry.hash, entry.key_id,
            ]
            for entry in entries
        ],
    )  # fmt: skip
    return section
