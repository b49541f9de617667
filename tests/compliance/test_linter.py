"""The template linter refuses threats, shaming and deception, and anonymous messages."""

from __future__ import annotations

import re

import pytest

from arrears.compliance.linter import lint_template

CREDITOR = "某某小额贷款有限公司"
GOOD_SMS = (
    "【{{ creditor.name }}】{{ borrower.name }}您好，您的借款{{ loan.loan_id }}已逾期"
    "{{ dpd }}天，应还{{ overdue_total }}元。如有困难请致电400-000-0000协商。回复TD退订"
)


def codes(text: str, channel: str = "sms") -> list[str]:
    return [
        finding.code for finding in lint_template(text, channel=channel, creditor_name=CREDITOR)
    ]


def test_a_plain_reminder_passes() -> None:
    assert codes(GOOD_SMS) == []
    assert codes(f"Dear customer, {CREDITOR} reminds you. Reply STOP to opt out.") == []


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("再不还款就让你坐牢", "threat_of_arrest"),
        ("公安上门抓人", "threat_of_arrest"),
        ("后果自负", "threat_of_harm"),
        ("我们将通知你的单位和通讯录里的所有人", "exposure"),
        ("法院传票已发出", "false_legal"),
        ("你这个老赖", "insult"),
        ("You will be sent to JAIL", "threat_of_arrest"),
        ("we will tell your employer", "exposure"),
        ("Court summons attached", "false_legal"),
        ("deadbeat", "insult"),
    ],
)
def test_threats_shaming_and_deception_are_refused_in_either_language(
    phrase: str, code: str
) -> None:
    found = lint_template(GOOD_SMS + phrase, channel="sms", creditor_name=CREDITOR)

    assert [f.code for f in found] == [code]
    # The message quotes what matched, so the author sees what to change.
    quoted = re.findall(r"“([^”]+)”", found[0].message)
    assert quoted and all(q.casefold() in phrase.casefold() for q in quoted)


def test_every_offence_is_reported_at_once() -> None:
    text = "老赖！后果自负，我们会曝光你"

    assert codes(text) == [
        "threat_of_harm",
        "exposure",
        "insult",
        "creditor_missing",
        "opt_out_missing",
    ]


def test_the_creditor_must_be_named_and_messages_need_an_opt_out() -> None:
    anonymous_letter = "您的借款已逾期，请尽快还款。"
    named_letter = f"{CREDITOR}提示：您的借款已逾期，请尽快还款。"

    assert codes(anonymous_letter, "letter") == ["creditor_missing"]
    assert codes(named_letter, "letter") == []  # letters need no opt-out line
    assert codes(named_letter, "email") == ["opt_out_missing"]
    assert codes(named_letter + "{{ opt_out }}", "email") == []
