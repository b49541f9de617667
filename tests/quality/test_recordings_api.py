"""``POST /api/v1/activities/{id}/recording``: a dialer attaches by URL and hash or by
upload; a bad hash is a 400 naming the field; another team's call is 404."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.test import Client

from arrears.quality.models import Recording
from tests.api.test_cases_api import bearer
from tests.quality.audio_samples import EXE, MP3
from tests.quality.conftest import World, may

pytestmark = pytest.mark.django_db


def _post(client: Client, activity_id: int, body: dict[str, str], **headers: str) -> object:
    return client.post(
        f"/api/v1/activities/{activity_id}/recording",
        body,
        content_type="application/json",
        **headers,
    )


def test_a_dialer_attaches_a_recording_by_url_and_hash_with_a_transcript(
    world: World, client: Client
) -> None:
    call = world.call(world.mine, world.me, may(5))
    digest = hashlib.sha256(b"audio at the dialer").hexdigest()
    answer = _post(
        client,
        call.pk,
        {"url": "https://dialer.example/rec/1.mp3", "sha256": digest, "transcript": "后果自负"},
        **bearer(world.me),
    )

    assert answer.status_code == 201, answer.content  # type: ignore[attr-defined]
    body = answer.json()  # type: ignore[attr-defined]
    assert (body["source"], body["sha256"], body["activity_id"]) == ("url", digest, call.pk)
    assert body["flags"] == [{"category": "threat_of_harm", "phrase": "后果自负", "position": 0}]


def test_a_bad_hash_is_a_400_naming_the_field(world: World, client: Client) -> None:
    call = world.call(world.mine, world.me, may(5))
    answer = _post(
        client, call.pk, {"url": "https://d.example/1", "sha256": "xyz"}, **bearer(world.me)
    )
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert answer.json()["field"] == "sha256"  # type: ignore[attr-defined]
    assert not Recording.objects.exists()


def test_an_upload_is_kept_and_a_hostile_one_refused_naming_the_field(
    world: World, client: Client
) -> None:
    call = world.call(world.mine, world.me, may(5))
    ok = _post(
        client,
        call.pk,
        {"filename": "c.mp3", "content_base64": base64.b64encode(MP3).decode()},
        **bearer(world.me),
    )
    assert ok.status_code == 201  # type: ignore[attr-defined]
    assert ok.json()["sha256"] == hashlib.sha256(MP3).hexdigest()  # type: ignore[attr-defined]

    bad = _post(
        client,
        call.pk,
        {"filename": "c.mp3", "content_base64": base64.b64encode(EXE).decode()},
        **bearer(world.me),
    )
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert bad.json()["field"] == "content_base64"  # type: ignore[attr-defined]
    assert "not audio" in bad.json()["detail"]  # type: ignore[attr-defined]


def test_a_call_outside_the_tokens_scope_is_404_and_a_manager_403(
    world: World, client: Client
) -> None:
    from arrears.accounts.models import User

    call = world.call(world.mine, world.me, may(5))
    body = {"url": "https://d.example/1.wav", "sha256": "a" * 64}
    assert _post(client, call.pk, body, **bearer(world.outsider)).status_code == 404  # type: ignore[attr-defined]
    assert _post(client, 999_999, body, **bearer(world.me)).status_code == 404  # type: ignore[attr-defined]
    manager = User.objects.create_user("boss", role="manager")
    assert _post(client, call.pk, body, **bearer(manager)).status_code == 403  # type: ignore[attr-defined]


def test_the_same_idempotency_key_adds_one_recording(world: World, client: Client) -> None:
    call = world.call(world.mine, world.me, may(5))
    body = {"url": "https://d.example/1.wav", "sha256": "a" * 64}
    first = _post(client, call.pk, body, HTTP_IDEMPOTENCY_KEY="k1", **bearer(world.me))
    again = _post(client, call.pk, body, HTTP_IDEMPOTENCY_KEY="k1", **bearer(world.me))
    assert first.status_code == again.status_code == 201  # type: ignore[attr-defined]
    assert Recording.objects.count() == 1
