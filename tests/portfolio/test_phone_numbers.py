"""Phone numbers on tapes: stored in E.164, read in the creditor's country unless written
with their own, refused with the column and the problem named — in the user's language."""

from __future__ import annotations

import csv
import importlib
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import translation

from arrears.compliance.models import CompliancePolicy
from arrears.core import crypto
from arrears.portfolio.models import ContactPoint, Creditor, Party
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

E164 = importlib.import_module("arrears.portfolio.migrations.0009_phones_e164")


def rejects_of(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8-sig") as handle:
        return {row["loan_id"]: row["errors"] for row in csv.DictReader(handle)}


def phones_of(loan_id: str) -> list[str]:
    party = Party.objects.get(loan_roles__loan__loan_id=loan_id, loan_roles__role="borrower")
    return list(party.contact_points.filter(kind="phone").values_list("value", flat=True))


def test_a_us_creditor_imports_american_numbers_in_e164(creditor: Creditor, tmp_path: Path) -> None:
    CompliancePolicy.objects.create(creditor=creditor, pack="us-regf", time_zone="America/New_York")
    rows = [
        loan_row("US-1", borrower_phone="+1 202-555-0143"),
        loan_row("US-2", borrower_phone="(202) 555-0143"),
        loan_row("US-3", borrower_phone="+86 138 0013 8000"),
    ]

    result = tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "t.csv", rows))

    assert (result.created, result.rejected) == (3, 0)
    assert phones_of("US-1") == ["+12025550143"]
    assert phones_of("US-2") == ["+12025550143"]
    assert phones_of("US-3") == ["+8613800138000"]


def test_a_chinese_creditor_imports_every_form_and_refuses_a_bare_us_number(
    creditor: Creditor, tmp_path: Path
) -> None:
    forms = ["138 0013 8000", "+86 138-0013-8000", "008613800138000", "8613800138000"]
    rows = [loan_row(f"CN-{n}", borrower_phone=form) for n, form in enumerate(forms)]
    rows += [
        loan_row("LANDLINE", borrower_phone="0755 8888 8888"),
        loan_row("ABROAD", borrower_phone="+1 202 555 0143"),
        loan_row("BARE-US", borrower_phone="2025550143"),
    ]
    rejects = tmp_path / "rejects.csv"

    result = tape_ingest(
        creditor=creditor,
        kind="loans",
        path=write_csv(tmp_path / "t.csv", rows),
        rejects_path=rejects,
    )

    assert (result.created, result.rejected) == (6, 1)
    assert {phones_of(f"CN-{n}")[0] for n in range(len(forms))} == {"+8613800138000"}
    assert phones_of("LANDLINE") == ["+8675588888888"]
    assert phones_of("ABROAD") == ["+12025550143"]
    assert rejects_of(rejects)["BARE-US"].startswith(
        "borrower_phone: '2025550143' is not a Chinese number"
    )


def test_reject_reasons_are_in_chinese_by_default(
    creditor: Creditor, tmp_path: Path, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    rows = [
        loan_row("BAD", borrower_phone="2025550143", principal="-5", term_months="700"),
    ]
    rejects = tmp_path / "rejects.csv"

    with translation.override("zh-hans"):
        tape_ingest(
            creditor=creditor,
            kind="loans",
            path=write_csv(tmp_path / "t.csv", rows),
            rejects_path=rejects,
        )

    reasons = rejects_of(rejects)["BAD"]
    assert "borrower_phone：“2025550143”不是中国的电话号码" in reasons
    assert "term_months：700 不在 1–600 个月之内" in reasons
    assert "is not" not in reasons and "outside" not in reasons


def test_reject_reasons_are_in_english_under_the_english_locale(
    creditor: Creditor, tmp_path: Path
) -> None:
    rejects = tmp_path / "rejects.csv"
    with translation.override("en"):
        tape_ingest(
            creditor=creditor,
            kind="loans",
            path=write_csv(tmp_path / "t.csv", [loan_row("BAD", term_months="700")]),
            rejects_path=rejects,
        )

    assert rejects_of(rejects)["BAD"] == "term_months: 700 is outside 1–600 months"


def _insert_old_phone(party: Party, value: str) -> int:
    """A contact point as rows were stored before E.164: bare digits, the old index."""
    sealed = crypto.encrypt(value, context=E164.CONTEXT)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO portfolio_contactpoint (party_id, kind, value, value_index, status,"
            " is_primary, source, created_at, updated_at)"
            " VALUES (%s, 'phone', %s, %s, 'valid', false, 'old', %s, %s)",
            [party.pk, sealed, E164._index(E164._old_normal(value)), party.created_at,
             party.created_at],
        )  # fmt: skip
    return ContactPoint.objects.order_by("-pk").values_list("pk", flat=True)[0]


def _raw(pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT value, value_index FROM portfolio_contactpoint WHERE id = %s", [pk])
        value, index = cursor.fetchone()
    return crypto.decrypt(value, context=E164.CONTEXT), index


def test_the_data_migration_rewrites_old_numbers_to_e164_and_back(creditor: Creditor) -> None:
    party = Party.objects.create(creditor=creditor, name="旧号码")
    mobile = _insert_old_phone(party, "13800138000")
    landline = _insert_old_phone(party, "01012345678")
    junk = _insert_old_phone(party, "unknown")

    E164.phones_to_e164(None, None)

    assert _raw(mobile) == ("+8613800138000", crypto.blind_index("+8613800138000", scheme="phone"))
    assert _raw(landline)[0] == "+861012345678"
    assert _raw(junk)[0] == "unknown"
    assert ContactPoint.objects.get(party=party, value="138 0013 8000").pk == mobile

    E164.phones_to_digits(None, None)

    assert _raw(mobile) == ("13800138000", E164._index("13800138000"))
    assert _raw(landline) == ("01012345678", E164._index("01012345678"))
    assert _raw(junk)[0] == "unknown"


def test_the_data_migration_keeps_apart_two_rows_that_become_one_number(
    creditor: Creditor,
) -> None:
    party = Party.objects.create(creditor=creditor, name="双号码")
    first = _insert_old_phone(party, "13800138000")
    # A twin kept apart by index_duplicates_separate when the column was encrypted.
    twin = _insert_old_phone(party, "10000000000")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE portfolio_contactpoint SET value = %s, value_index = value_index || '~x'"
            " WHERE id = %s",
            [crypto.encrypt("+86 138 0013 8000", context=E164.CONTEXT), twin],
        )

    E164.phones_to_e164(None, None)

    index = crypto.blind_index("+8613800138000", scheme="phone")
    assert _raw(first) == ("+8613800138000", index)
    assert _raw(twin) == ("+8613800138000", f"{index}~{twin}")
