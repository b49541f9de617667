"""Message templates: the shipped texts pass the linter, a real loan renders with the right
amounts, bad texts are refused with every reason, and changes publish new versions."""

from __future__ import annotations

import importlib
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps as global_apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from arrears.accounts.models import User
from arrears.cases.models import CollectionCase
from arrears.core.errors import InvalidInput
from arrears.outreach.models import MessageTemplate
from arrears.outreach.rendering import (
    TEMPLATE_VARIABLES,
    ShippedTemplate,
    capital_yuan,
    check_variables,
    render,
    sample_variables,
    shipped_templates,
    sms_template_params,
    variables_for,
)
from arrears.outreach.template_selectors import template_current
from arrears.outreach.template_services import (
    template_check,
    template_publish,
    template_set_active,
)
from arrears.portfolio.models import Creditor, Loan, LoanParty, LoanPosition
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

SHIPPED = shipped_templates()
SMS_OK = (
    "【{{ creditor_name }}】{{ party_name }}您好，您的借款已逾期，请尽快还款。{{ opt_out_text }}"
)


@pytest.fixture
def shipped(db: None) -> None:
    """The shipped templates, as the data migration loads them (a transactional test
    elsewhere in the run may have emptied the tables)."""
    migration = importlib.import_module("arrears.outreach.migrations.0004_shipped_templates")
    migration.load(global_apps, None)


@pytest.fixture
def overdue_loan(creditor: Creditor, tmp_path: Path) -> Loan:
    """张三's 120,000.00 loan at 12 % over 12 months (annuity, penalty 18 % ACT/360), first
    due 2026-02-28 and never paid, after the cycle of 2026-03-10 (DPD 10)."""
    row = loan_row("R1")
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [row]))
    call_command("cycle", "--date", "2026-03-10", "--json", stdout=StringIO())
    return Loan.objects.get(loan_id="R1")


def test_arrears_ships_every_purpose_in_both_languages() -> None:
    keys = {(t.code, t.channel, t.language) for t in SHIPPED}
    messages = ["reminder", "promise-confirmation", "plan-confirmation", "receipt"]
    letters = ["overdue-notice", "guarantor-notice", "lawyer-letter", "guarantor-demand"]
    assert keys == {
        (code, channel, language)
        for language in ("zh-hans", "en")
        for code, channels in [(c, ("sms", "email")) for c in messages]
        + [(c, ("letter",)) for c in letters]
        + [("assignment-notice", ("sms", "letter"))]
        for channel in channels
    }
    assert all(t.subject for t in SHIPPED if t.channel == "email")


@pytest.mark.parametrize("t", SHIPPED, ids=lambda t: f"{t.code}.{t.channel}.{t.language}")
def test_every_shipped_template_passes_the_linter_and_uses_only_known_variables(
    t: ShippedTemplate,
) -> None:
    assert check_variables(t.body) == [] and check_variables(t.subject) == []
    assert (
        template_check(
            code=t.code,
            channel=t.channel,
            language=t.language,
            purpose=t.purpose,
            body=t.body,
            subject=t.subject,
        )
        == []
    )


def test_the_migration_loads_the_shipped_templates_as_version_1(shipped: None) -> None:
    loaded = MessageTemplate.objects.filter(note="shipped", version=1, active=True)

    assert loaded.count() == len(SHIPPED)
    notice = template_current("overdue-notice", "letter", "zh-hans")
    assert notice is not None and notice.purpose == "overdue_notice"
    assert "逾期催收通知书" in notice.body


def test_a_reminder_sms_for_a_real_loan_shows_the_yuan_amounts_and_the_capitals(
    shipped: None, overdue_loan: Loan, creditor: Creditor
) -> None:
    position = LoanPosition.objects.get(loan=overdue_loan)
    borrower = LoanParty.objects.get(loan=overdue_loan, role="borrower").party
    variables = variables_for(
        loan=overdue_loan,
        party=borrower,
        position=position,
        creditor_name=creditor.name,
        language="zh-hans",
        today=position.as_of,
    )
    template = template_current("reminder", "sms", "zh-hans")
    assert template is not None and set(variables) == set(TEMPLATE_VARIABLES)

    subject, body = render(template, variables)

    # Installment 1 of the annuity: 10,661.85 = 9,461.85 principal + 1,200.00 interest;
    # penalty 9,461.85 × 18 % / 360 × 10 days = 47.309… → 47.31.
    assert (
        variables["overdue_principal"],
        variables["overdue_interest"],
        variables["overdue_fees"],
        variables["overdue_penalty"],
        variables["overdue_total"],
    ) == ("9,461.85", "1,200.00", "0.00", "47.31", "10,709.16")
    assert variables["overdue_total_capital"] == "人民币壹万零柒佰零玖元壹角陆分"
    assert subject == ""
    assert body.startswith("【测试小贷】张三您好，您的借款（合同号R1）已逾期10天，")
    assert "逾期金额10,709.16元" in body and body.endswith("回复TD退订")
    assert sms_template_params(template, variables) == {
        name: variables[name]
        for name in [
            "creditor_name",
            "party_name",
            "loan_id",
            "dpd",
            "overdue_total",
            "payment_instructions",
            "self_service_link",
            "opt_out_text",
        ]
    }

    notice = template_current("overdue-notice", "letter", "zh-hans")
    assert notice is not None
    _, letter = render(notice, variables)
    assert "人民币壹万零柒佰零玖元壹角陆分" in letter and "2026年2月28日" in letter


def test_a_letter_escapes_what_it_is_given_and_an_sms_does_not() -> None:
    values = sample_variables("zh-hans") | {"party_name": "<b>A&B</b>"}
    letter = MessageTemplate(channel="letter", body="<p>{{ party_name }}</p>")
    sms = MessageTemplate(channel="sms", body="{{ party_name }}")

    assert render(letter, values)[1] == "<p>&lt;b&gt;A&amp;B&lt;/b&gt;</p>"
    assert render(sms, values)[1] == "<b>A&B</b>"


def test_a_threat_without_creditor_or_opt_out_is_refused_with_every_reason(db: None) -> None:
    with pytest.raises(InvalidInput) as refused:
        template_publish(
            code="rude",
            channel="sms",
            language="zh-hans",
            purpose="reminder",
            body="{{ party_name }}，不还就抓你去坐牢",
        )

    reasons = str(refused.value)
    assert "threatens arrest" in reasons and "“坐牢”" in reasons and "“抓你”" in reasons
    assert "the creditor must be named" in reasons
    assert "every sms needs an opt-out line" in reasons
    assert not MessageTemplate.objects.filter(code="rude").exists()


def test_unknown_variables_forbidden_tags_and_bad_syntax_are_refused(db: None) -> None:
    body = (
        "{{ creditor_name }} {{ amount_due }}{% if borrower.vip %}!{% endif %}"
        "{{ loan_id|default:fallback }}{% debug %}{{ opt_out_text }}"
    )
    assert check_variables(body) == ["amount_due", "borrower.vip", "fallback"]

    with pytest.raises(InvalidInput) as refused:
        template_publish(
            code="reminder", channel="sms", language="zh-hans", purpose="reminder", body=body
        )
    reasons = str(refused.value)
    assert "unknown variable {{ amount_due }}" in reasons
    assert "unknown variable {{ borrower.vip }}" in reasons
    assert "tag {% debug %} is not allowed" in reasons

    problems = template_check(
        code="reminder",
        channel="email",
        language="en",
        purpose="reminder",
        body="{{ creditor_name }} {% if %}",
    )
    assert "an email needs a subject" in problems
    assert any("template syntax error" in p for p in problems)


def test_publishing_a_changed_body_makes_version_2_and_keeps_version_1(db: None) -> None:
    first = template_publish(
        code="test-reminder", channel="sms", language="zh-hans", purpose="reminder", body=SMS_OK
    )
    again = template_publish(
        code="test-reminder",
        channel="sms",
        language="zh-hans",
        purpose="reminder",
        body=SMS_OK.replace("\n", "\r\n") + "\r\n",
    )
    changed = template_publish(
        code="test-reminder",
        channel="sms",
        language="zh-hans",
        purpose="reminder",
        body=SMS_OK.replace("请尽快还款", "请于{{ pay_by }}前还款"),
        note="a date",
    )

    assert (first.version, again.pk, changed.version) == (1, first.pk, 2)
    assert MessageTemplate.objects.get(pk=first.pk).body == SMS_OK
    assert template_current("test-reminder", "sms", "zh-hans") == changed
    # Switching the newest off puts the previous version back in use.
    template_set_active(template=changed, active=False)
    assert template_current("test-reminder", "sms", "zh-hans") == first


def test_a_language_without_the_template_falls_back_to_chinese(db: None) -> None:
    zh = template_publish(
        code="only-zh", channel="sms", language="zh-hans", purpose="reminder", body=SMS_OK
    )

    assert template_current("only-zh", "sms", "en") == zh
    assert template_current("only-zh", "email", "en") is None


def test_the_admin_preview_shows_the_rendered_text(
    shipped: None, overdue_loan: Loan, client: Client
) -> None:
    client.force_login(User.objects.create_superuser("boss", password="a-long-unique-pass"))
    template = template_current("reminder", "sms", "zh-hans")
    assert template is not None
    url = reverse("admin:outreach_messagetemplate_change", args=[template.pk])

    sample = client.get(url).content.decode()
    case = CollectionCase.objects.get(loan=overdue_loan)
    real = client.get(url, {"case": case.pk}).content.decode()

    assert "【示例债权人】张三您好，您的借款（合同号HT-2026-0001）已逾期12天" in sample
    assert "【测试小贷】张三您好，您的借款（合同号R1）已逾期10天，逾期金额10,709.16元" in real
    assert "{{ overdue_total_capital }}" in sample  # the variables are listed as help


def test_a_change_in_the_admin_publishes_a_version_and_a_threat_is_shown_not_saved(
    shipped: None, client: Client
) -> None:
    client.force_login(User.objects.create_superuser("boss", password="a-long-unique-pass"))
    template = template_current("reminder", "sms", "en")
    assert template is not None
    url = reverse("admin:outreach_messagetemplate_change", args=[template.pk])
    form = {
        "purpose": "reminder",
        "subject": "",
        "provider_template_code": "SMS_100001",
        "note": "registered with the provider",
        "body": template.body,
    }

    saved = client.post(url, form)
    refused = client.post(url, form | {"body": template.body + " Pay or go to jail."})

    assert saved.status_code == 302
    newest = template_current("reminder", "sms", "en")
    assert newest is not None and (newest.version, newest.provider_template_code) == (
        2,
        "SMS_100001",
    )
    assert refused.status_code == 200
    assert "threatens arrest" in refused.content.decode()
    versions = MessageTemplate.objects.filter(code="reminder", channel="sms", language="en")
    assert versions.count() == 2


@pytest.mark.parametrize(
    ("fen", "capitals"),
    [
        (5, "人民币伍分"),
        (1_000, "人民币壹拾元整"),
        (1_000_150, "人民币壹万零壹元伍角"),
        (100_000_000, "人民币壹佰万元整"),
    ],
)
def test_amounts_in_chinese_capitals(fen: int, capitals: str) -> None:
    assert capital_yuan(fen) == capitals


def test_every_variable_is_documented_and_filled() -> None:
    for language in ("zh-hans", "en"):
        assert set(sample_variables(language)) == set(TEMPLATE_VARIABLES)
