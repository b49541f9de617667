"""Encryption at rest of ID numbers, phones, emails and addresses: the database holds only
ciphertext, the application reads clear values, identities stay unique, exact search goes
through the blind index, keys rotate, tampering is an error, and addresses are masked by
role. docs/security.md, "Encryption at rest"."""

from __future__ import annotations

import base64
import os
import stat
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.compliance.models import ContactAttempt
from arrears.core import crypto
from arrears.core.crypto import FieldDecryptionError
from arrears.core.encryption_batches import Column, column_decrypt, column_encrypt
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import ContactPoint, Creditor, Loan, LoanParty, Party
from arrears.portfolio.services import tape_ingest
from arrears.workbench.selectors.case_parties import party_views
from arrears.workbench.selectors.queue import queue_for
from tests.factories import loan_row, valid_id, write_csv
from tests.workbench.test_queue import ON, assign, build_cases, people

pytestmark = pytest.mark.django_db

ADDRESS = "北京市朝阳区建国路88号3号楼1201室"


def key(kid: str) -> str:
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"


def raw(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchall())


def run(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture
def tape(creditor: Creditor, tmp_path: Path) -> dict[str, str]:
    return ingest(creditor, tmp_path)


def ingest(creditor: Creditor, tmp_path: Path) -> dict[str, str]:
    borrower_id, guarantor_id = valid_id(), valid_id()
    row = loan_row(
        "ENC-1",
        borrower_name="钱多多",
        borrower_id_number=borrower_id,
        borrower_phone="13812345678",
        borrower_email="Qian.Duoduo@Example.com",
        guarantor_name="孙保",
        guarantor_id_number=guarantor_id,
        guarantor_phone="13987654321",
        borrower_address=ADDRESS,
    )
    result = tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [row]))
    assert result.rejected == 0, result
    return {
        "borrower_id": borrower_id,
        "guarantor_id": guarantor_id,
        "path": str(tmp_path / "l.csv"),
    }


def test_the_database_holds_no_clear_identifier_and_the_app_reads_them_back(
    tape: dict[str, str],
) -> None:
    stored = [row[0] for row in raw("SELECT id_number FROM portfolio_party")]
    stored += [row[0] for row in raw("SELECT value FROM portfolio_contactpoint")]
    clear = [
        tape["borrower_id"],
        tape["guarantor_id"],
        "13812345678",
        "13987654321",
        "qian.duoduo@example.com",
        "建国路",
    ]
    assert len(stored) == 2 + 4
    for value in stored:
        assert value.startswith("v1:"), value
        assert not any(part.lower() in value.lower() for part in clear)

    borrower = Party.objects.get(name="钱多多")
    assert borrower.id_number == tape["borrower_id"]
    values = dict(borrower.contact_points.values_list("kind", "value"))
    assert values == {
        "phone": "+8613812345678",
        "email": "qian.duoduo@example.com",
        "address": ADDRESS,
    }


def test_reimporting_the_same_tape_finds_the_parties_by_their_blind_index(
    creditor: Creditor, tape: dict[str, str]
) -> None:
    again = tape_ingest(creditor=creditor, kind="loans", path=Path(tape["path"]))

    assert again.rejected == 0 and again.created == 0
    assert Party.objects.filter(creditor=creditor).count() == 2
    assert ContactPoint.objects.count() == 4


def test_the_unique_identity_still_refuses_a_duplicate(
    creditor: Creditor, tape: dict[str, str]
) -> None:
    spaced = " ".join(tape["borrower_id"][i : i + 6] for i in range(0, 18, 6)).lower()
    with pytest.raises(IntegrityError), transaction.atomic():
        Party.objects.create(
            creditor=creditor, name="冒名", id_type="resident_id", id_number=spaced
        )
    borrower = Party.objects.get(name="钱多多")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactPoint.objects.create(party=borrower, kind="phone", value="+86 138-1234-5678")


def test_exact_search_by_phone_email_or_id_finds_the_case_through_the_index(
    creditor: Creditor, tmp_path: Path
) -> None:
    id_number = valid_id()
    cases = build_cases(
        creditor,
        tmp_path,
        [
            loan_row("FIND-ME", borrower_id_number=id_number, borrower_phone="13700001111",
                     borrower_email="someone@example.com"),
            loan_row("NOT-ME", borrower_name="别人"),
        ],
    )  # fmt: skip
    team, me, _other = people(creditor)
    for case in cases.values():
        assign(case, team, me)

    def found(text: str) -> list[str]:
        return [row.loan_id for row in queue_for(user=me, on=ON, search=text)]

    assert found(id_number) == ["FIND-ME"]
    assert found(id_number.lower()) == ["FIND-ME"]
    assert found("137 0000 1111") == ["FIND-ME"]
    assert found("+8613700001111") == ["FIND-ME"]
    assert found("SomeOne@Example.com") == ["FIND-ME"]
    assert found("1370000") == [], "matched whole, never by a fragment"
    # The ORM's exact lookup on an encrypted column goes through the index as well; a
    # fragment search, which ciphertext cannot answer, is refused rather than empty.
    assert Party.objects.get(id_number=id_number).name == "张三"
    with pytest.raises(FieldError):
        list(Party.objects.filter(id_number__startswith=id_number[:6]))


def test_the_api_search_finds_a_case_by_exact_phone(
    creditor: Creditor, tmp_path: Path, client: Any
) -> None:
    cases = build_cases(creditor, tmp_path, [loan_row("API-1", borrower_phone="13655556666")])
    team, me, _other = people(creditor)
    assign(cases["API-1"], team, me)
    client.force_login(me)

    response = client.get("/api/v1/cases/", {"search": "136-5555-6666"})

    assert response.status_code == 200, response.content
    assert [row["loan_id"] for row in response.json()["results"]] == ["API-1"]


def test_rotation_reencrypts_every_row_and_old_values_read_until_then(
    creditor: Creditor, tmp_path: Path, settings: Any
) -> None:
    old, new = key("old"), key("new")
    settings.ARREARS_FIELD_KEYS = old
    tape = ingest(creditor, tmp_path)
    borrower = Party.objects.get(name="钱多多")
    ContactAttempt.objects.create(
        loan=Loan.objects.get(loan_id="ENC-1"), party=borrower, role="borrower",
        channel="call", number="13812345678", at=borrower.created_at, outcome="no_answer",
    )  # fmt: skip
    before = raw("SELECT value FROM portfolio_contactpoint") + raw(
        "SELECT number FROM compliance_contactattempt"
    )
    assert all(value.startswith("v1:old:") for (value,) in before)

    settings.ARREARS_FIELD_KEYS = f"{new},{old}"
    assert Party.objects.get(pk=borrower.pk).id_number == tape["borrower_id"]
    out = StringIO()
    call_command("keys", "rotate", "--batch", "2", stdout=out)

    assert "under key 'new'" in out.getvalue()
    for table, column in (
        ("portfolio_party", "id_number"),
        ("portfolio_contactpoint", "value"),
        ("compliance_contactattempt", "number"),
    ):
        values = [value for (value,) in raw(f"SELECT {column} FROM {table}") if value]
        assert values and all(value.startswith("v1:new:") for value in values), table
    settings.ARREARS_FIELD_KEYS = new  # the old key retired
    assert Party.objects.get(pk=borrower.pk).id_number == tape["borrower_id"]
    assert ContactAttempt.objects.get().number == "13812345678"
    assert Party.objects.get(id_number=tape["borrower_id"]).pk == borrower.pk
    status = StringIO()
    call_command("keys", "status", stdout=status)
    assert "current 'new'" in status.getvalue()


def test_a_changed_index_key_is_applied_by_rotate_reindex(
    creditor: Creditor, tape: dict[str, str], settings: Any
) -> None:
    settings.ARREARS_INDEX_KEY = base64.b64encode(os.urandom(32)).decode()
    assert not Party.objects.filter(id_number=tape["borrower_id"]).exists()

    call_command("keys", "rotate", "--reindex", stdout=StringIO())

    assert Party.objects.filter(id_number=tape["borrower_id"]).exists()


def test_a_tampered_or_moved_ciphertext_is_an_error_not_a_wrong_value(
    tape: dict[str, str],
) -> None:
    borrower = Party.objects.get(name="钱多多")
    (sealed,) = raw("SELECT id_number FROM portfolio_party WHERE id = %s", [borrower.pk])[0]
    head, kid, data = sealed.split(":")
    blob = bytearray(base64.b64decode(data))
    blob[-1] ^= 1
    tampered = f"{head}:{kid}:{base64.b64encode(bytes(blob)).decode()}"
    run("UPDATE portfolio_party SET id_number = %s WHERE id = %s", [tampered, borrower.pk])
    with pytest.raises(FieldDecryptionError, match="authentication check"):
        Party.objects.get(pk=borrower.pk)

    # A valid ciphertext of another column (the guarantor's phone) moved into the ID number.
    (phone,) = raw("SELECT value FROM portfolio_contactpoint WHERE kind = 'phone' LIMIT 1")[0]
    run("UPDATE portfolio_party SET id_number = %s WHERE id = %s", [phone, borrower.pk])
    with pytest.raises(FieldDecryptionError, match="another column"):
        Party.objects.get(pk=borrower.pk)

    run("UPDATE portfolio_party SET id_number = %s WHERE id = %s", ["110101", borrower.pk])
    with pytest.raises(FieldDecryptionError, match="not in the encrypted form"):
        Party.objects.get(pk=borrower.pk)


def test_an_unknown_key_names_the_key_missing(tape: dict[str, str], settings: Any) -> None:
    settings.ARREARS_FIELD_KEYS = key("other")
    with pytest.raises(
        FieldDecryptionError, match=r"under the key '\w+', which is not among the configured keys"
    ):
        Party.objects.get(name="钱多多")


def test_the_outbox_and_the_journal_keep_numbers_encrypted(tape: dict[str, str]) -> None:
    borrower = Party.objects.get(name="钱多多")
    loan = Loan.objects.get(loan_id="ENC-1")
    message = OutboxMessage.objects.create(
        case_id=0, loan_id=loan.pk, party_id=borrower.pk, planned_action_id=-1,
        channel="sms", purpose="sms", status="sent", due_at=borrower.created_at,
        to="13812345678",
    )  # fmt: skip
    ((to,),) = raw('SELECT "to" FROM outreach_outboxmessage WHERE id = %s', [message.pk])
    assert to.startswith("v1:") and "13812345678" not in to
    assert OutboxMessage.objects.get(pk=message.pk).to == "13812345678"
    with pytest.raises(FieldError, match="no blind index"):
        list(OutboxMessage.objects.filter(to="13812345678"))


def test_the_data_migration_step_encrypts_and_decrypts_back(tape: dict[str, str]) -> None:
    points = Column("portfolio_contactpoint", "value", index="value_index", scheme_column="kind")
    assert column_decrypt(points) == 4
    stored = [value for (value,) in raw("SELECT value FROM portfolio_contactpoint")]
    assert "+8613812345678" in stored
    run("UPDATE portfolio_contactpoint SET value_index = ''")

    assert column_encrypt(points) == 4
    assert column_encrypt(points) == 0, "values already encrypted are left"
    assert all(
        value.startswith("v1:") and index
        for value, index in raw("SELECT value, value_index FROM portfolio_contactpoint")
    )
    assert ContactPoint.objects.get(value="13812345678").kind == "phone"


def test_without_keys_in_production_the_first_use_fails_loudly(settings: Any) -> None:
    settings.REQUIRE_SECRET = True
    settings.ARREARS_FIELD_KEYS = ""
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured, match="ARREARS_FIELD_KEYS must be set"):
        crypto.encrypt("13812345678", context="portfolio_contactpoint.value")
    settings.ARREARS_FIELD_KEYS = "k1:short"
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        crypto.encrypt("13812345678", context="portfolio_contactpoint.value")


def test_demo_keys_are_generated_once_in_a_private_file(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    settings.ARREARS_FIELD_KEYS = ""
    settings.ARREARS_INDEX_KEY = ""
    sealed = crypto.encrypt("13812345678", context="t.c")
    index = crypto.blind_index("13812345678", scheme="phone")
    path = tmp_path / "data" / crypto.FIELD_KEYS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "data" / crypto.INDEX_KEY_FILE).stat().st_mode) == 0o600
    crypto.reset_keys()
    assert crypto.decrypt(sealed, context="t.c") == "13812345678"
    assert crypto.blind_index("+86 138 1234 5678", scheme="phone") == index


def test_a_collector_sees_an_address_by_district_and_a_manager_in_full(
    tape: dict[str, str],
) -> None:
    links = list(LoanParty.objects.filter(role="borrower").select_related("party"))
    points = {links[0].party_id: list(ContactPoint.objects.filter(kind="address"))}
    standings: dict[int, Any] = {links[0].pk: None}

    def shown(role: str) -> str:
        (view,) = party_views(links, points, standings, [], role=role)
        return view.contact_points[0].masked

    assert shown(Role.COLLECTOR) == "北京市朝阳区****"
    assert shown(Role.MANAGER) == ADDRESS
    assert shown(Role.FIELD_AGENT) == ADDRESS
    assert shown("") == "北京市朝阳区****", "without a role the address is masked"


def test_on_the_case_page_a_collector_sees_the_district_and_a_manager_the_address(
    creditor: Creditor, tmp_path: Path, client: Any
) -> None:
    cases = build_cases(creditor, tmp_path, [loan_row("ADDR-1", borrower_address=ADDRESS)])
    team, collector, _other = people(creditor)
    assign(cases["ADDR-1"], team, collector)
    manager = User.objects.create_user("boss", password="a-long-unique-pass", role="manager")
    manager.creditors.add(creditor)

    def page_of(user: User) -> str:
        client.force_login(user)
        response = client.get(f"/cases/{cases['ADDR-1'].pk}/")
        assert response.status_code == 200
        return response.content.decode()

    seen_by_collector, seen_by_manager = page_of(collector), page_of(manager)

    assert "北京市朝阳区****" in seen_by_collector and "建国路" not in seen_by_collector
    assert ADDRESS in seen_by_manager
