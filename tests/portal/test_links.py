"""The one-time links: ``arrears portal link`` prints one; messages carry a fresh one in
``{{ self_service_link }}`` when ``ARREARS_SELF_SERVICE_URL`` is set."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from arrears.core.models import AuditEntry
from arrears.outreach.rendering import variables_for
from arrears.outreach.self_service import link_read, link_sign, link_token
from arrears.portfolio.models import LoanPosition, Party
from tests.portal.conftest import World

pytestmark = pytest.mark.django_db


def link(*args: str) -> str:
    out = StringIO()
    call_command("portal", "link", *args, stdout=out)
    return out.getvalue().strip()


def test_the_command_prints_a_link_to_the_borrowers_portal(
    world: World, client: Client, settings: Any
) -> None:
    settings.ARREARS_SELF_SERVICE_URL = ""
    url = link("P1")
    claims = link_read(url.rsplit("/", 2)[-2])

    assert url.startswith("http://127.0.0.1:8000/p/") and url.endswith("/")
    assert claims is not None and claims.party_id == world.borrower.pk
    assert (claims.expires_at - world.clock.now).days == 7
    assert client.get(url.removeprefix("http://127.0.0.1:8000")).status_code == 302
    entry = AuditEntry.objects.get(action="portal.link_make")
    assert entry.data["party"] == world.borrower.pk and claims.nonce not in str(entry.data)


def test_the_command_uses_the_configured_address_and_names_a_guarantor(
    world: World, settings: Any
) -> None:
    settings.ARREARS_SELF_SERVICE_URL = "https://pay.example.com/"

    url = link("P1", "--party", "guarantor", "--creditor", world.case.creditor.name)

    assert url.startswith("https://pay.example.com/p/")
    claims = link_read(url.rsplit("/", 2)[-2])
    assert claims is not None and claims.party_id == world.guarantor.pk


def test_the_command_refuses_an_unknown_loan_or_a_missing_party(world: World) -> None:
    with pytest.raises(CommandError, match="not found"):
        link("NOPE")
    with pytest.raises(CommandError, match="no co_borrower"):
        link("P1", "--party", "co_borrower")


def test_a_message_carries_a_fresh_link_only_when_the_portal_address_is_set(
    world: World, settings: Any, client: Client
) -> None:
    loan = world.case.loan
    position = LoanPosition.objects.filter(loan=loan).first()

    def rendered() -> str:
        return variables_for(
            loan=loan,
            party=world.borrower,
            position=position,
            creditor_name="测试小贷",
            language="zh-hans",
            today=date(2026, 3, 10),
        )["self_service_link"]

    settings.ARREARS_SELF_SERVICE_URL = ""
    assert rendered() == ""
    settings.ARREARS_SELF_SERVICE_URL = "https://pay.example.com"
    first, second = rendered(), rendered()

    assert first.startswith("https://pay.example.com/p/") and first != second
    assert client.get(first.removeprefix("https://pay.example.com")).status_code == 302


def test_a_signed_link_to_someone_not_liable_on_the_loan_is_refused(
    world: World, client: Client
) -> None:
    stranger = Party.objects.create(creditor=world.case.creditor, name="路人")
    token = link_sign(link_token(loan_id=world.case.loan_id, party_id=stranger.pk))

    assert client.get(f"/p/{token}/").status_code == 404


def test_a_token_signed_for_another_purpose_is_not_a_link(world: World, client: Client) -> None:
    from django.core import signing

    forged = signing.Signer().sign_object([world.case.loan_id, world.borrower.pk, "n", 2**40])

    assert link_read(forged) is None
    assert client.get(f"/p/{forged}/").status_code == 404
