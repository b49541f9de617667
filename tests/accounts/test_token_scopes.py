"""API token scopes: ``arrears token create USER --scope payments:write`` adds a right to
the token (never to the person), an unknown scope is refused naming the known ones, and
tokens made before scopes existed keep working as they did."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from arrears.accounts.models import ApiToken, User
from arrears.accounts.selectors import user_for_token
from arrears.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss() -> User:
    return User.objects.create_user("boss", password="a-long-unique-pass", role="manager")


def create(*args: str) -> str:
    out = StringIO()
    call_command("token", "create", *args, stdout=out)
    return out.getvalue().strip()


def test_a_token_made_with_a_scope_carries_it_to_the_api(boss: User) -> None:
    raw = create("boss", "--scope", "payments:write", "--scope", "payments:write")

    token = ApiToken.objects.get()
    user = user_for_token(raw)
    assert token.scopes == "payments:write"
    assert user is not None and user.api_scopes == frozenset({"payments:write"})


def test_a_token_without_scopes_has_none_and_neither_has_the_person(boss: User) -> None:
    raw = create("boss")

    user = user_for_token(raw)
    assert user is not None and user.api_scopes == frozenset()
    assert User.objects.get(username="boss").api_scopes == frozenset()


def test_an_unknown_scope_exits_2_naming_the_known_ones(boss: User) -> None:
    with pytest.raises(CommandError) as refused:
        create("boss", "--scope", "payments:delete")

    assert refused.value.returncode == 2
    assert "payments:delete" in str(refused.value) and "payments:write" in str(refused.value)
    assert not ApiToken.objects.exists(), "no token is made"


def test_a_token_made_before_scopes_still_reads_what_it_read(boss: User, client: Client) -> None:
    boss.role = "admin"
    boss.save(update_fields=["role"])
    old = api_token_create(user=boss, name="from before")[1]

    answer = client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {old}")

    assert answer.status_code == 200


def test_the_admin_form_refuses_an_unknown_scope_too(boss: User) -> None:
    token = ApiToken(user=boss, name="typed", token_hash="0" * 64, scopes="payments:delete")

    with pytest.raises(ValidationError) as refused:
        token.full_clean()

    assert "payments:write" in str(refused.value.message_dict["scopes"])
