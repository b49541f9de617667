"""The gate's reasons: language-neutral codes with parameters, stored as such, put into the
reader's words when shown (issue 15)."""

from __future__ import annotations

import importlib
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.utils import translation

from arrears.compliance import reasons, rules
from arrears.compliance.models import ContactRefusal
from arrears.portfolio.models import Creditor, Loan, Party
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def sample(code: str) -> rules.Reason:
    names = PLACEHOLDER.findall(rules.REASON_TEXTS[code])
    values = {"kind": "dispute", "channel": "sms", "role": "contact_person", "tz": "Asia/Shanghai"}
    return rules.Reason(code, {name: values.get(name, "7") for name in names})


def test_every_code_has_one_message_and_its_english_is_the_rules_sentence() -> None:
    assert set(reasons.MESSAGES) == set(rules.REASON_TEXTS)
    with translation.override("en"):
        for code, text in rules.REASON_TEXTS.items():
            assert str(reasons.MESSAGES[code]) == text, code


@pytest.mark.parametrize("code", sorted(rules.REASON_TEXTS))
def test_every_reason_reads_in_chinese_with_its_codes_as_labels(code: str) -> None:
    with translation.override("zh-hans"):
        message = reasons.reason_message(sample(code))

    # Only the time zone (a code) stays in Latin letters.
    assert re.findall(r"[A-Za-z]{2,}", message) in ([], ["Asia", "Shanghai"]), message
    assert "%(" not in message


def test_a_reason_is_stored_as_its_code_and_parameters_and_read_back() -> None:
    reason = rules.Reason(rules.HOLD, {"kind": "dispute"})
    decision = rules.Decision(False, [reason])

    assert decision.stored_reasons() == [{"code": "hold", "params": {"kind": "dispute"}}]
    assert rules.reason_of(decision.stored_reasons()[0]) == reason
    assert decision.reasons == ["hold: dispute"] and decision.reason_codes == ["hold"]
    with translation.override("zh-hans"):
        assert reasons.reason_messages(decision.stored_reasons()) == ["暂停催收：争议"]
    with translation.override("en"):
        assert reasons.refusals_shown([reason]) == [
            {"code": "hold", "message": "hold: Dispute (争议)", "params": {"kind": "dispute"}}
        ]


@pytest.mark.parametrize("code", sorted(rules.REASON_TEXTS))
def test_a_sentence_stored_before_the_codes_is_matched_back_to_its_code(code: str) -> None:
    reason = sample(code)

    assert rules.reason_of(reason.text) == reason


def test_a_sentence_no_code_matches_is_shown_as_it_was() -> None:
    reason = rules.reason_of("blocked by the provider")

    assert reason == rules.Reason(rules.LEGACY, {"text": "blocked by the provider"})
    assert reasons.reason_message("blocked by the provider") == "blocked by the provider"
    assert reasons.reason_codes(["blocked by the provider"]) == ["legacy"]


def test_the_rules_refuse_with_codes() -> None:
    at = datetime.fromisoformat("2026-07-01T23:00+08:00")
    decision = rules.evaluate(
        rules.CN,
        rules.Proposed(at=at, channel=rules.VISIT, role="contact_person", staff=1),
        rules.Situation(holds=[("litigation", "")]),
    )

    assert decision.reason_codes == [
        rules.HOLD_LITIGATION,
        rules.VISIT_STAFF,
        rules.PURPOSE_PASS_MESSAGE,
        rules.DEBTOR_REACHABLE,
        rules.QUIET_HOURS,
    ]
    assert decision.refusals[-1].params == {
        "start": "08:00",
        "end": "22:00",
        "local": "23:00",
        "tz": "Asia/Shanghai",
    }


@pytest.mark.django_db
def test_the_migration_turns_stored_sentences_into_codes_and_back(
    creditor: Creditor, tmp_path: Path
) -> None:
    migration: Any = importlib.import_module(
        "arrears.compliance.migrations.0005_refusal_reason_codes"
    )
    tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [loan_row("M1")])
    )
    loan = Loan.objects.get(loan_id="M1")
    party = Party.objects.create(creditor=creditor, name="张三")
    sentences = ["hold: dispute", "3 conversations today already (at most 3)", "odd words"]
    refusal = ContactRefusal.objects.create(
        loan=loan,
        party=party,
        role="borrower",
        channel="call",
        at=datetime.fromisoformat("2026-07-01T10:00+08:00"),
        reasons=sentences,
    )

    migration.to_codes(apps, None)
    refusal.refresh_from_db()
    coded = refusal.reasons
    migration.to_sentences(apps, None)
    refusal.refresh_from_db()

    assert coded == [
        {"code": "hold", "params": {"kind": "dispute"}},
        {"code": "conversations_per_day", "params": {"count": "3", "limit": "3"}},
        {"code": "legacy", "params": {"text": "odd words"}},
    ]
    assert refusal.reasons == sentences
