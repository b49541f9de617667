"""The quality pages: a collector attaches a recording from the case page; a reviewer draws
a sample, scores a call and reads the month's report; refusals are shown, not raised."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from arrears.accounts.models import User
from arrears.quality.checklist import ITEM_CODES
from arrears.quality.models import CallFlag, Recording, Review, ReviewSample
from arrears.quality.recording_services import UploadedAudio, recording_attach
from tests.quality.audio_samples import EXE, MP3
from tests.quality.conftest import World, may

pytestmark = pytest.mark.django_db


def _attach_url(world: World, activity_id: int) -> str:
    return f"/cases/{world.mine.pk}/calls/{activity_id}/recording/"


def test_a_collector_attaches_a_recording_and_transcript_from_the_case_page(
    world: World, client: Client
) -> None:
    call = world.call(world.mine, world.me, may(5))
    client.force_login(world.me)
    page = client.get(f"/cases/{world.mine.pk}/").content.decode()
    assert 'data-testid="quality-call"' in page and _attach_url(world, call.pk) in page

    answer = client.post(
        _attach_url(world, call.pk),
        {
            "file": SimpleUploadedFile("call.mp3", MP3, content_type="audio/mpeg"),
            "transcript": SimpleUploadedFile("t.txt", "你再不还就走着瞧".encode()),
        },
    )

    assert answer.status_code == 302
    assert Recording.objects.get().activity_id == call.pk
    assert CallFlag.objects.get().phrase == "走着瞧"
    page = client.get(f"/cases/{world.mine.pk}/").content.decode()
    assert 'data-testid="quality-flagged"' in page and "走着瞧" in page


def test_a_hostile_file_is_refused_on_its_field_and_others_may_not_attach(
    world: World, client: Client
) -> None:
    call = world.call(world.mine, world.me, may(5))
    client.force_login(world.me)
    answer = client.post(_attach_url(world, call.pk), {"file": SimpleUploadedFile("call.mp3", EXE)})
    assert answer.status_code == 400
    assert b'data-field="file"' in answer.content and b"not audio" in answer.content
    assert not Recording.objects.exists()

    client.force_login(world.outsider)
    assert client.get(_attach_url(world, call.pk)).status_code == 404
    client.force_login(User.objects.create_user("boss", role="manager"))
    assert client.get(_attach_url(world, call.pk)).status_code == 403


def test_a_reviewer_draws_a_sample_and_scores_a_call(world: World, client: Client) -> None:
    call = world.call(world.mine, world.me, may(5))
    recording_attach(activity=call, by=world.me, upload=UploadedAudio("c.mp3", MP3))
    client.force_login(world.lead)

    drawn = client.post(
        "/quality/", {"first_day": "2026-05-01", "last_day": "2026-05-31", "per_collector": "3"}
    )
    sample = ReviewSample.objects.get()
    assert drawn.status_code == 302 and drawn["Location"] == f"/quality/samples/{sample.pk}/"
    listing = client.get(drawn["Location"]).content.decode()
    review_url = f"/quality/calls/{call.pk}/review/?sample={sample.pk}"
    assert review_url.replace("&", "&amp;") in listing or review_url in listing

    form = client.get(review_url)
    assert form.status_code == 200 and b"<audio" in form.content
    answers = dict.fromkeys(ITEM_CODES, "pass") | {"identity_verified": "fail"}
    scored = client.post(review_url, answers | {"comment": "未核实身份"})

    assert scored.status_code == 302
    review = Review.objects.get()
    assert (review.score, review.sample_id, review.reviewer_id) == (85, sample.pk, world.lead.pk)


def test_a_reviewers_own_call_cannot_be_scored_from_the_page(world: World, client: Client) -> None:
    own = world.call(world.mine, world.lead, may(5))
    client.force_login(world.lead)
    assert b'data-testid="review-own"' in client.get(f"/quality/calls/{own.pk}/review/").content
    answer = client.post(f"/quality/calls/{own.pk}/review/", dict.fromkeys(ITEM_CODES, "pass"))
    assert answer.status_code == 400 and b"your own calls" in answer.content
    assert not Review.objects.exists()
    client.force_login(world.me)
    assert client.get("/quality/").status_code == 403


def test_the_report_page_and_its_excel_download(world: World, client: Client) -> None:
    world.call(world.mine, world.me, may(5))
    world.call(world.mine, world.other, may(6))
    client.force_login(world.lead)

    page = client.get("/quality/report/?month=2026-05").content.decode()
    assert 'data-collector="collector1"' in page and 'data-collector="collector2"' in page

    download = client.get("/quality/report/?month=2026-05&format=xlsx")
    sheet = load_workbook(BytesIO(download.content)).active
    assert sheet is not None
    assert [row[:2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        ("collector1", 1),
        ("collector2", 1),
    ]
    assert client.get("/quality/report/?month=May").status_code == 400


def test_a_transcript_added_later_from_the_case_page_is_flagged(
    world: World, client: Client
) -> None:
    call = world.call(world.mine, world.me, may(5))
    recording = recording_attach(activity=call, by=world.me, upload=UploadedAudio("c.mp3", MP3))
    client.force_login(world.me)
    assert (
        b'data-testid="quality-transcript-form"' in client.get(f"/cases/{world.mine.pk}/").content
    )

    answer = client.post(
        f"/quality/recordings/{recording.pk}/transcript/",
        {"transcript": SimpleUploadedFile("t.txt", "别怪我们不客气".encode("gb18030"))},
    )

    assert answer.status_code == 302
    assert CallFlag.objects.get().phrase == "别怪我们不客气"
    client.force_login(world.outsider)
    assert client.post(f"/quality/recordings/{recording.pk}/transcript/").status_code == 404


def test_the_review_page_masks_numbers_said_on_the_call_and_plays_the_audio(
    world: World, client: Client
) -> None:
    call = world.call(world.mine, world.me, may(5))
    recording = recording_attach(
        activity=call,
        by=world.me,
        upload=UploadedAudio("c.mp3", MP3),
        transcript="请核对：手机13812345678，身份证110101199003071234。".encode(),
    )
    client.force_login(world.lead)
    page = client.get(f"/quality/calls/{call.pk}/review/").content.decode()
    assert "13812345678" not in page and "138****5678" in page
    assert "110101199003071234" not in page and "1101**********1234" in page

    audio = client.get(f"/quality/recordings/{recording.pk}/audio")
    assert audio["Content-Type"] == "audio/mpeg"
    assert b"".join(audio.streaming_content) == MP3  # type: ignore[attr-defined]
    client.force_login(world.outsider)
    assert client.get(f"/quality/recordings/{recording.pk}/audio").status_code == 404
