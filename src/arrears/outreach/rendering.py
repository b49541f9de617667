"""The variables a message template may use, and how a template becomes the text sent.

The set of variables is fixed and documented (``TEMPLATE_VARIABLES``): a template naming
anything else is refused when published, because Django's engine would render an unknown
name as nothing and a reminder would go out with a blank where the amount should be. Every
value is already a string formatted for people (amounts in yuan, dates per language), so
templates need no filters. Templates may use ``{% if %}`` (for example around an optional
self-service link) and comments; other tags are refused (``{% debug %}`` would print the
context, ``{% now %}`` reads the wall clock instead of the business date).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.template import Context, Engine, Template
from django.template.base import FilterExpression, Node, TextNode, Variable, VariableNode
from django.template.defaulttags import CommentNode, IfNode, SpacelessNode

from arrears.core.money import format_yuan, format_yuan_grouped
from arrears.outreach.self_service import self_service_link

if TYPE_CHECKING:
    from arrears.outreach.models import MessageTemplate
    from arrears.portfolio.models import Loan, LoanPosition, Party

TEMPLATE_VARIABLES: dict[str, str] = {
    "party_name": "收件人姓名或名称 · name of the addressee (borrower, guarantor …)",
    "borrower_name": "借款人姓名或名称 · name of the borrower",
    "creditor_name": "债权人名称 · name of the creditor (lender)",
    "loan_id": "借款合同编号 · the creditor's loan contract number",
    "overdue_principal": "逾期本金（元，如 12,345.67）· overdue principal in yuan",
    "overdue_interest": "逾期利息（元）· overdue interest in yuan",
    "overdue_fees": "逾期费用（元）· overdue fees in yuan",
    "overdue_penalty": "未还罚息（元）· unpaid penalty interest in yuan",
    "overdue_total": "逾期合计（元）· total overdue: principal, interest, fees and penalty",
    "overdue_total_capital": "逾期合计大写（人民币…元整）· the total in Chinese capitals",
    "dpd": "逾期天数 · days past due",
    "oldest_due_on": "最早逾期应还日 · due date of the oldest overdue installment",
    "next_due_on": "下一还款日 · next due date with something unpaid",
    "pay_by": "要求还款截止日 · the date a notice asks payment by",
    "event_amount": "确认的金额（元）· amount confirmed: payment received, promise, plan",
    "event_date": "确认的日期 · date confirmed: payment day, promised day, plan start",
    "payment_instructions": "还款方式说明 · how to pay (ARREARS_PAYMENT_INSTRUCTIONS)",
    "self_service_link": "自助服务一次性链接 · one-time link to the borrower portal"
    " (when ARREARS_SELF_SERVICE_URL is set) or empty",
    "opt_out_text": "退订说明 · opt-out line (SMS: 回复TD退订 / Reply STOP to opt out; email:"
    " the unsubscribe button or a reply)",
    "today": "通知日期 · the business date of the message",
}

# A notice gives the debtor a week to pay: long enough to arrange the money, short enough
# that the demand restarts the limitation period with a clear date (seed 002, day 7).
NOTICE_DAYS = 7

ZH_HANS, EN = "zh-hans", "en"
DEFAULT_PAYMENT_INSTRUCTIONS = {
    ZH_HANS: "请通过原还款账户还款，或联系客服。",
    EN: "Please pay into your usual repayment account, or contact customer service.",
}
OPT_OUT_TEXT = {ZH_HANS: "回复TD退订", EN: "Reply STOP to opt out"}
# Replying TD is the SMS convention; an email is left through its List-Unsubscribe header
# (the mail program's unsubscribe button) or by a reply (``channels.email``).
EMAIL_OPT_OUT_TEXT = {
    ZH_HANS: "如不希望再收到此类邮件，请点击邮件程序中的“退订”按钮，或回复本邮件注明“退订”。",
    EN: "To stop these emails, use the unsubscribe button of your mail program,"
    " or reply to this email with the word unsubscribe.",
}
SAMPLE_CREDITOR = "示例债权人"
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

SHIPPED_FOLDER = Path(__file__).resolve().parent / "data" / "templates"
SUBJECT_PREFIX = "Subject:"

# No loaders, no tag libraries: a template cannot include files or load tags.
_ENGINE = Engine(debug=False)
_ALLOWED_NODES = (TextNode, VariableNode, IfNode, CommentNode, SpacelessNode)


def capital_yuan(fen: int) -> str:
    """An amount in Chinese capitals as written on a demand: 1234567 fen →
    ``人民币壹万贰仟叁佰肆拾伍元陆角柒分``, a whole amount ending ``元整``."""
    if fen < 0:
        return "负" + capital_yuan(-fen)
    # Imported here: cn2an compiles its patterns at import (0.1 s), which every process
    # that loads the outreach app (each command, each web worker) would otherwise pay.
    import cn2an

    words: str = cn2an.an2cn(format_yuan(fen), "rmb")
    if fen % 100 == 0 and not words.endswith("整"):
        words += "整"
    return "人民币" + words


def format_date(day: date | None, language: str) -> str:
    """A date as a letter writes it: ``2026年3月7日``, or ``7 March 2026`` in English."""
    if day is None:
        return ""
    if language == EN:
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def _language(language: str) -> str:
    return EN if language == EN else ZH_HANS


def payment_instructions(language: str) -> str:
    """How to pay: ``ARREARS_PAYMENT_INSTRUCTIONS`` when set (any language), else a default."""
    configured = os.environ.get("ARREARS_PAYMENT_INSTRUCTIONS", "").strip()
    return configured or DEFAULT_PAYMENT_INSTRUCTIONS[_language(language)]


def variables_for(
    *,
    loan: Loan,
    party: Party,
    position: LoanPosition | None,
    creditor_name: str,
    language: str,
    today: date,
    borrower: Party | None = None,
    pay_by: date | None = None,
    event_amount: int | None = None,
    event_date: date | None = None,
) -> dict[str, str]:
    """Every template variable for a message to ``party`` about ``loan``, from objects the
    caller has read (no query here, so a batch reads them in bulk).

    ``borrower`` defaults to ``party`` (a message to the borrower); ``position`` is the
    loan's state from the last cycle (``None``: nothing overdue known). ``pay_by`` defaults
    to ``NOTICE_DAYS`` after ``today``; ``event_amount`` (fen) and ``event_date`` are the
    payment, promise or plan a confirmation or receipt is about.
    """
    lang = _language(language)
    principal = position.overdue_principal if position else 0
    interest = position.overdue_interest if position else 0
    fees = position.overdue_fees if position else 0
    penalty = position.overdue_penalty if position else 0
    total = principal + interest + fees + penalty
    oldest = position.oldest_overdue_day if position else None
    next_due = position.next_due_day if position else None
    if event_date is None and position is not None:
        event_date = position.last_paid_on
    return {
        "party_name": party.name,
        "borrower_name": (borrower or party).name,
        "creditor_name": creditor_name,
        "loan_id": loan.loan_id,
        "overdue_principal": format_yuan_grouped(principal),
        "overdue_interest": format_yuan_grouped(interest),
        "overdue_fees": format_yuan_grouped(fees),
        "overdue_penalty": format_yuan_grouped(penalty),
        "overdue_total": format_yuan_grouped(total),
        "overdue_total_capital": capital_yuan(total),
        "dpd": str(position.dpd if position else 0),
        "oldest_due_on": format_date(date.fromordinal(oldest) if oldest else None, lang),
        "next_due_on": format_date(date.fromordinal(next_due) if next_due else None, lang),
        "pay_by": format_date(pay_by or today + timedelta(days=NOTICE_DAYS), lang),
        "event_amount": "" if event_amount is None else format_yuan_grouped(event_amount),
        "event_date": format_date(event_date, lang),
        "payment_instructions": payment_instructions(lang),
        # A fresh signed link per message, to this party's own portal (outreach.self_service).
        "self_service_link": self_service_link(loan_id=loan.pk, party_id=party.pk),
        "opt_out_text": OPT_OUT_TEXT[lang],
        "today": format_date(today, lang),
    }


def sample_variables(language: str) -> dict[str, str]:
    """Made-up values for previews and for linting a template before it is published."""
    lang = _language(language)
    today = date(2026, 3, 12)
    principal, interest, fees, penalty = 1_000_000, 30_000, 5_000, 4_567
    total = principal + interest + fees + penalty
    return {
        "party_name": "张三" if lang == ZH_HANS else "Zhang San",
        "borrower_name": "张三" if lang == ZH_HANS else "Zhang San",
        "creditor_name": SAMPLE_CREDITOR,
        "loan_id": "HT-2026-0001",
        "overdue_principal": format_yuan_grouped(principal),
        "overdue_interest": format_yuan_grouped(interest),
        "overdue_fees": format_yuan_grouped(fees),
        "overdue_penalty": format_yuan_grouped(penalty),
        "overdue_total": format_yuan_grouped(total),
        "overdue_total_capital": capital_yuan(total),
        "dpd": "12",
        "oldest_due_on": format_date(date(2026, 2, 28), lang),
        "next_due_on": format_date(date(2026, 3, 31), lang),
        "pay_by": format_date(today + timedelta(days=NOTICE_DAYS), lang),
        "event_amount": format_yuan_grouped(300_000),
        "event_date": format_date(date(2026, 3, 15), lang),
        "payment_instructions": payment_instructions(lang),
        "self_service_link": "https://pay.example.com/s/abc123",
        "opt_out_text": OPT_OUT_TEXT[lang],
        "today": format_date(today, lang),
    }


@lru_cache(maxsize=256)
def _compiled(text: str) -> Template:
    # Compiled once per distinct text: the sender renders thousands of messages from a few
    # templates, and a compiled template is safe to render concurrently.
    return _ENGINE.from_string(text)


def _names_in_expression(expression: Any) -> Iterator[str]:
    if isinstance(expression, FilterExpression):
        if isinstance(expression.var, Variable) and expression.var.lookups is not None:
            yield ".".join(expression.var.lookups)
        for _filter, args in expression.filters:
            for lookup, arg in args:
                if lookup and isinstance(arg, Variable) and arg.lookups is not None:
                    yield ".".join(arg.lookups)
        return
    # An ``{% if %}`` condition: a literal holds a filter expression, an operator its
    # operands.
    if hasattr(expression, "value"):
        yield from _names_in_expression(expression.value)
    for side in ("first", "second"):
        operand = getattr(expression, side, None)
        if operand is not None:
            yield from _names_in_expression(operand)


def _walk(nodes: Any) -> Iterator[Node]:
    for node in nodes:
        yield node
        if isinstance(node, IfNode):
            for _condition, nodelist in node.conditions_nodelists:
                yield from _walk(nodelist)
        else:
            for attr in getattr(node, "child_nodelists", ()):
                yield from _walk(getattr(node, attr, None) or ())


def _names_used(template: Template) -> list[str]:
    names: list[str] = []
    for node in _walk(template.nodelist):
        found: Iterator[str] = iter(())
        if isinstance(node, VariableNode):
            found = _names_in_expression(node.filter_expression)
        elif isinstance(node, IfNode):
            found = (
                name
                for condition, _nodelist in node.conditions_nodelists
                if condition is not None
                for name in _names_in_expression(condition)
            )
        names.extend(name for name in found if name not in names)
    return names


def check_variables(text: str) -> list[str]:
    """Names ``text`` uses that are not in ``TEMPLATE_VARIABLES``, in order of first use.

    Raises ``django.template.TemplateSyntaxError`` when ``text`` is not a valid template.
    """
    return [name for name in _names_used(_compiled(text)) if name not in TEMPLATE_VARIABLES]


def check_tags(text: str) -> list[str]:
    """Tags ``text`` uses that templates may not (anything but if/elif/else, comment and
    spaceless). Raises ``TemplateSyntaxError`` when ``text`` is not a valid template."""
    refused: list[str] = []
    for node in _walk(_compiled(text).nodelist):
        if not isinstance(node, _ALLOWED_NODES):
            token = getattr(node, "token", None)
            name = token.contents.split()[0] if token is not None else type(node).__name__
            if name not in refused:
                refused.append(name)
    return refused


def render(template: MessageTemplate, variables: Mapping[str, str]) -> tuple[str, str]:
    """The ``(subject, body)`` of ``template`` with ``variables``. A letter's body is HTML,
    so values are escaped; SMS and email are plain text and are not. The subject is one
    line (a line break in a mail header would start another header)."""
    is_html = template.channel == "letter"
    if template.channel == "email":
        variables = {**variables, "opt_out_text": EMAIL_OPT_OUT_TEXT[_language(template.language)]}
    subject = ""
    if template.subject:
        subject = _compiled(template.subject).render(Context(dict(variables), autoescape=False))
        subject = " ".join(subject.split())
    body = _compiled(template.body).render(Context(dict(variables), autoescape=is_html))
    return subject, body.strip()


def sms_template_params(template: MessageTemplate, variables: Mapping[str, str]) -> dict[str, str]:
    """For SMS providers that send registered templates: each variable the body uses, in
    order of first use, with its value (the provider fills its own copy of the text)."""
    return {
        name: variables.get(name, "")
        for name in _names_used(_compiled(template.body))
        if name in TEMPLATE_VARIABLES
    }


@dataclass(frozen=True)
class ShippedTemplate:
    """A template text Arrears ships, read from ``data/templates``."""

    code: str
    channel: str
    language: str
    purpose: str
    subject: str
    body: str


def shipped_templates(folder: Path = SHIPPED_FOLDER) -> list[ShippedTemplate]:
    """Every shipped template: files named ``<code>.<channel>.<language>.txt``, an email's
    first line being ``Subject: …``. The purpose is the code with ``_`` for ``-``."""
    found: list[ShippedTemplate] = []
    for path in sorted(folder.glob("*.txt")):
        code, channel, language = path.name.removesuffix(".txt").split(".")
        text = path.read_text(encoding="utf-8")
        subject = ""
        first, _newline, rest = text.partition("\n")
        if first.startswith(SUBJECT_PREFIX):
            subject, text = first.removeprefix(SUBJECT_PREFIX).strip(), rest
        found.append(
            ShippedTemplate(
                code=code,
                channel=channel,
                language=language,
                purpose=code.replace("-", "_"),
                subject=subject,
                body=text.strip(),
            )
        )
    return found
