"""Quality review in a real browser: a collector logs a call and attaches its recording with
a transcript holding a forbidden phrase, which is flagged on the case page; the team lead
draws a sample, which holds the flagged call, and scores it; the score shows in the sample.

Page contracts relied on (``data-testid``): on the case page ``contact-form`` /
``contact-submit``, ``quality-attach`` and ``quality-flagged``; ``recording-form`` /
``recording-submit``; ``sample-form`` / ``sample-submit`` on ``/quality/``; ``sample-call``
rows; ``review-form`` / ``review-submit``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import page, sign_in  # noqa: F401  (the browser fixture)
from tests.e2e.conftest import world as e2e_world  # noqa: F401
from tests.e2e.world import World
from tests.quality.audio_samples import MP3

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(e2e_world: World) -> World:  # noqa: F811
    """The browser tests' world (not the quality tests' own)."""
    return e2e_world


def test_a_flagged_call_is_recorded_sampled_and_scored(
    page: Page,  # noqa: F811
    world: World,
    tmp_path: Path,
) -> None:
    audio = tmp_path / "call.mp3"
    audio.write_bytes(MP3)
    transcript = tmp_path / "call.txt"
    transcript.write_text("你再不还钱，后果自负。", encoding="utf-8")
    case = world.cases["E2E-A1"]

    sign_in(page, "collector1")
    page.goto(f"/cases/{case.pk}/")
    form = page.get_by_test_id("contact-form")
    form.locator("[name=channel]").select_option("call")
    form.locator("[name=party_reached]").select_option("borrower")
    form.locator("[name=outcome]").select_option("right_party")
    form.get_by_test_id("contact-submit").click()

    page.get_by_test_id("quality-attach").first.click()
    attach = page.get_by_test_id("recording-form")
    attach.locator("[name=file]").set_input_files(str(audio))
    attach.locator("[name=transcript]").set_input_files(str(transcript))
    attach.get_by_test_id("recording-submit").click()
    expect(page.get_by_test_id("quality-flagged")).to_be_visible()
    expect(page.get_by_test_id("quality-recording")).to_contain_text("call.mp3")

    page.context.clear_cookies()
    sign_in(page, "lead")
    page.goto("/quality/")
    sample = page.get_by_test_id("sample-form")
    sample.locator("[name=rate]").fill("")
    sample.locator("[name=per_collector]").fill("1")
    sample.get_by_test_id("sample-submit").click()
    row = page.get_by_test_id("sample-call")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("后果自负")

    row.locator("a").first.click()
    review = page.get_by_test_id("review-form")
    review.locator("input[name=no_threat][value=fail]").check()
    review.get_by_test_id("review-submit").click()
    expect(page.get_by_test_id("sample-call")).to_contain_text("80")
