"""Recordings on calls: kept with their SHA-256, never replaced; hostile, oversized and
mistyped files refused with the reason; transcripts flagged for forbidden phrases."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from arrears.accounts.models import User
from arrears.core.errors import InvalidInput, NotFound
from arrears.core.models import AuditEntry
from arrears.quality.access import call_for
from arrears.quality.models import CallFlag, Recording, Transcript
from arrears.quality.recording_services import (
    UploadedAudio,
    recording_attach,
    recording_file,
    transcript_attach,
)
from tests.quality.audio_samples import EXE, MP3, WAV
from tests.quality.conftest import World, may

pytestmark = pytest.mark.django_db


def test_an_uploaded_recording_is_kept_with_its_sha256_and_audited(world: World) -> None:
    call = world.call(world.mine, world.me, may(5))

    recording = recording_attach(activity=call, by=world.me, upload=UploadedAudio("call.mp3", MP3))

    assert recording.sha256 == hashlib.sha256(MP3).hexdigest()
    assert recording_file(recording).read_bytes() == MP3
    assert (recording.format, recording.size, recording.source) == ("mp3", len(MP3), "upload")
    entry = AuditEntry.objects.get(action="quality.recording")
    assert entry.data["sha256"] == recording.sha256 and entry.subject_id == str(call.pk)


def test_a_second_recording_is_added_and_the_first_is_kept(world: World) -> None:
    call = world.call(world.mine, world.me, may(5))
    first = recording_attach(activity=call, by=world.me, upload=UploadedAudio("a.mp3", MP3))
    second = recording_attach(activity=call, by=world.me, upload=UploadedAudio("b.wav", WAV))

    assert first.path != second.path
    assert recording_file(first).read_bytes() == MP3
    assert list(Recording.objects.values_list("format", flat=True)) == ["mp3", "wav"]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("call.mp3", EXE, "not audio"),
        ("call.exe", MP3, "files are not accepted"),
        ("call.mp3", WAV, "named .mp3 but holds wav"),
        ("call.wav", b"", "empty"),
    ],
)
def test_a_hostile_or_mistyped_file_is_refused_with_the_reason(
    world: World, name: str, data: bytes, reason: str
) -> None:
    call = world.call(world.mine, world.me, may(5))
    with pytest.raises(InvalidInput) as refused:
        recording_attach(activity=call, by=world.me, upload=UploadedAudio(name, data))
    assert reason in str(refused.value) and refused.value.field == "file"
    assert not Recording.objects.exists()


def test_an_oversized_file_is_refused(world: World, settings: Any) -> None:
    settings.ARREARS_RECORDING_MAX_BYTES = 100
    call = world.call(world.mine, world.me, may(5))
    with pytest.raises(InvalidInput, match="larger than"):
        recording_attach(activity=call, by=world.me, upload=UploadedAudio("c.mp3", MP3))


def test_only_a_call_takes_a_recording(world: World) -> None:
    visit = world.call(world.mine, world.me, may(5), channel="visit")
    with pytest.raises(InvalidInput, match="only a call") as refused:
        recording_attach(activity=visit, by=world.me, upload=UploadedAudio("c.mp3", MP3))
    assert refused.value.field == "activity"


def test_a_recording_kept_by_the_dialer_is_its_url_and_hash(world: World) -> None:
    call = world.call(world.mine, world.me, may(5))
    digest = hashlib.sha256(b"dialer audio").hexdigest()
    recording = recording_attach(
        activity=call, by=world.me, url="https://dialer.example/r/1.wav", sha256=digest.upper()
    )
    assert (recording.source, recording.sha256, recording.format) == ("url", digest, "wav")

    with pytest.raises(InvalidInput) as refused:
        recording_attach(activity=call, by=world.me, url="https://d.example/2", sha256="abc")
    assert refused.value.field == "sha256"


def test_an_upload_whose_given_hash_differs_is_refused(world: World) -> None:
    call = world.call(world.mine, world.me, may(5))
    with pytest.raises(InvalidInput, match="does not match") as refused:
        recording_attach(
            activity=call, by=world.me, upload=UploadedAudio("c.mp3", MP3), sha256="a" * 64
        )
    assert refused.value.field == "sha256"


def test_a_transcript_with_a_forbidden_phrase_is_flagged(world: World) -> None:
    call = world.call(world.mine, world.me, may(5))
    text = "请今天还款，否则我们会通知你的单位，后果自负。"
    recording_attach(
        activity=call,
        by=world.me,
        upload=UploadedAudio("c.mp3", MP3),
        transcript=text.encode(),
    )

    flags = list(CallFlag.objects.values_list("activity_id", "category", "phrase", "position"))
    assert flags == [
        (call.pk, "exposure", "通知你的单位", text.index("通知你的单位")),
        (call.pk, "threat_of_harm", "后果自负", text.index("后果自负")),
    ]


def test_a_clean_transcript_is_not_flagged_and_gb18030_is_converted(world: World) -> None:
    call = world.call(world.mine, world.me, may(5))
    recording = recording_attach(
        activity=call,
        by=world.me,
        url="https://dialer.example/r/9.mp3",
        sha256="b" * 64,
        transcript="您好，请问今天方便还款吗？".encode("gb18030"),
    )
    transcript = Transcript.objects.get()
    assert transcript.encoding == "gb18030" and transcript.text.startswith("您好")
    assert not CallFlag.objects.exists()

    transcript_attach(recording=recording, data="走着瞧".encode(), by=world.me)
    assert list(CallFlag.objects.values_list("phrase", flat=True)) == ["走着瞧"]
    assert Transcript.objects.count() == 2, "the first transcript is kept"


def test_a_binary_transcript_is_refused(world: World) -> None:
    call = world.call(world.mine, world.me, may(5))
    with pytest.raises(InvalidInput, match="plain text") as refused:
        recording_attach(
            activity=call, by=world.me, upload=UploadedAudio("c.mp3", MP3), transcript=EXE
        )
    assert refused.value.field == "transcript"
    assert not Recording.objects.exists()


def test_a_call_outside_the_scope_is_not_found_and_a_manager_may_not_attach(
    world: World,
) -> None:
    call = world.call(world.mine, world.me, may(5))
    with pytest.raises(NotFound):
        call_for(user=world.outsider, activity_id=call.pk, capability="recording_attach")
    manager = User.objects.create_user("boss", role="manager")
    with pytest.raises(PermissionDenied):
        call_for(user=manager, activity_id=call.pk, capability="recording_attach")
    assert call_for(user=world.me, activity_id=call.pk, capability="recording_attach") == call


def test_the_demo_attaches_recordings_flags_one_and_reviews_it(world: World) -> None:
    from arrears.quality.demo import demo_quality
    from arrears.quality.models import Review

    world.call(world.mine, world.me, may(5))
    world.call(world.mine, world.other, may(6))

    assert demo_quality(today=may(20).date()) == 2
    assert CallFlag.objects.filter(phrase="后果自负").exists()
    review = Review.objects.get()
    assert review.breaches == ["no_threat", "no_disclosure"] and review.score == 60
    assert demo_quality(today=may(20).date()) == 0, "done once"


def test_neither_a_file_nor_a_url_is_refused(world: World) -> None:
    call = world.call(world.mine, world.me, may(5))
    with pytest.raises(InvalidInput, match="recording file or its URL"):
        recording_attach(activity=call, by=world.me)
    with pytest.raises(InvalidInput, match="not both"):
        recording_attach(
            activity=call,
            by=world.me,
            upload=UploadedAudio("c.mp3", MP3),
            url="https://d.example/1.mp3",
        )
