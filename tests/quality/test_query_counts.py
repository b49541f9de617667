"""The quality reads do not grow with their rows: the case's calls, a sample's calls and
the monthly report each run a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.quality.recording_services import UploadedAudio, recording_attach
from arrears.quality.review_services import sample_draw
from arrears.quality.selectors import case_calls, quality_report, sample_calls
from tests.quality.audio_samples import MP3
from tests.quality.conftest import World, may

pytestmark = pytest.mark.django_db


def _counts(world: World) -> tuple[int, int, int]:
    sample = sample_draw(
        by=world.lead, first_day=may(1).date(), last_day=may(31).date(), rate_bp=10_000, seed=1
    )
    counts = []
    for read in (
        lambda: case_calls(case_id=world.mine.pk),
        lambda: sample_calls(sample),
        lambda: quality_report(first_day=may(1).date(), last_day=may(31).date()),
    ):
        with CaptureQueriesContext(connection) as captured:
            read()
        counts.append(len(captured.captured_queries))
    return counts[0], counts[1], counts[2]


def _calls_with_recordings(world: World, days: range) -> None:
    for day in days:
        call = world.call(world.mine, world.me if day % 2 else world.other, may(day))
        recording_attach(
            activity=call, by=world.me, upload=UploadedAudio("c.mp3", MP3), transcript=b"ok"
        )


def test_the_quality_reads_run_the_same_queries_for_one_call_or_many(world: World) -> None:
    _calls_with_recordings(world, range(1, 2))
    few = _counts(world)
    _calls_with_recordings(world, range(2, 9))
    assert _counts(world) == few
