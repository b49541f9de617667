"""Reviews of calls: scored, append-only and audited; never of one's own calls; samples are
reproducible; the monthly report's figures on a crafted month."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from arrears.cases.models import Activity
from arrears.core.errors import Forbidden, InvalidInput
from arrears.core.models import AuditEntry
from arrears.quality.checklist import ITEM_CODES
from arrears.quality.models import Review, SampledCall
from arrears.quality.recording_services import UploadedAudio, recording_attach
from arrears.quality.review_services import review_record, sample_draw
from arrears.quality.selectors import quality_report
from tests.quality.audio_samples import MP3
from tests.quality.conftest import World, may

pytestmark = pytest.mark.django_db


def _answers(**failed: str) -> dict[str, str]:
    answers = dict.fromkeys(ITEM_CODES, "pass")
    answers.update(failed)
    return answers


def test_a_reviewers_score_is_recorded_and_audited(world: World) -> None:
    call = world.call(world.mine, world.me, may(5))

    review = review_record(
        activity=call,
        reviewer=world.lead,
        answers=_answers(no_disclosure="fail"),
        comment="对第三人透露了欠款",
    )

    assert (review.score, review.breaches, review.collector_id) == (
        80,
        ["no_disclosure"],
        world.me.pk,
    )
    entry = AuditEntry.objects.get(action="quality.review")
    assert entry.actor_id == world.lead.pk and entry.subject_id == str(call.pk)
    assert entry.data["score"] == 80 and entry.data["breaches"] == ["no_disclosure"]
    assert len(review.sha256) == 64


def test_a_reviewer_may_not_review_their_own_call(world: World) -> None:
    own = world.call(world.mine, world.lead, may(5))
    with pytest.raises(Forbidden, match="your own calls"):
        review_record(activity=own, reviewer=world.lead, answers=_answers())
    assert not Review.objects.exists()
    assert not AuditEntry.objects.filter(action="quality.review").exists()


def test_a_re_review_is_a_new_record_and_the_latest_counts(world: World) -> None:
    call = world.call(world.mine, world.me, may(5))
    first = review_record(activity=call, reviewer=world.lead, answers=_answers(polite="fail"))
    second = review_record(activity=call, reviewer=world.lead, answers=_answers())

    assert Review.objects.count() == 2 and Review.objects.get(pk=first.pk).score == 90
    (row,) = quality_report(first_day=may(1).date(), last_day=may(31).date())
    assert (row.reviewed, row.average_score, row.breaches["polite"]) == (1, second.score, 0)


def test_an_incomplete_answer_sheet_names_the_item(world: World) -> None:
    call = world.call(world.mine, world.me, may(5))
    answers = _answers()
    answers["amount_correct"] = "maybe"
    with pytest.raises(InvalidInput) as refused:
        review_record(activity=call, reviewer=world.lead, answers=answers)
    assert refused.value.field == "amount_correct"


def test_the_sample_is_reproducible_keeps_flagged_calls_and_skips_the_reviewers_own(
    world: World,
) -> None:
    calls = [world.call(world.mine, world.me, may(day)) for day in range(1, 21)]
    calls += [world.call(world.mine, world.other, may(day, 11)) for day in range(1, 11)]
    own = world.call(world.mine, world.lead, may(3, 15))
    flagged = calls[13]
    recording_attach(
        activity=flagged,
        by=world.me,
        upload=UploadedAudio("c.mp3", MP3),
        transcript="再不还钱就让你好看".encode(),
    )
    outside = world.call(world.theirs, world.outsider, may(4))

    first = sample_draw(
        by=world.lead, first_day=may(1).date(), last_day=may(31).date(), rate_bp=1000, seed=7
    )
    again = sample_draw(
        by=world.lead, first_day=may(1).date(), last_day=may(31).date(), rate_bp=1000, seed=7
    )

    drawn = list(first.calls.values_list("activity_id", "collector_id", "flagged"))
    assert drawn == list(again.calls.values_list("activity_id", "collector_id", "flagged"))
    ids = {pk for pk, _collector, _flag in drawn}
    assert flagged.pk in ids and own.pk not in ids and outside.pk not in ids
    # 10 % rounded up: 2 of collector1's 20 calls (the flagged one among them), 1 of 10
    assert sorted(collector for _pk, collector, _flag in drawn) == sorted(
        [world.me.pk, world.me.pk, world.other.pk]
    )
    audit = AuditEntry.objects.filter(action="quality.sample").first()
    assert audit is not None and audit.data["seed"] == 7


def test_the_monthly_report_adds_up_a_crafted_month(world: World) -> None:
    # collector1: 4 calls in May (2 recorded, 1 of them flagged twice), 1 in June, 1 SMS
    mine = [world.call(world.mine, world.me, may(day)) for day in (1, 2, 30, 31)]
    world.call(world.mine, world.me, may(31).replace(month=6, day=1))
    world.call(world.mine, world.me, may(6), channel="sms")
    recording_attach(activity=mine[0], by=world.me, upload=UploadedAudio("a.mp3", MP3))
    recording_attach(
        activity=mine[1],
        by=world.me,
        url="https://dialer.example/2.mp3",
        sha256="c" * 64,
        transcript="后果自负，走着瞧".encode(),
    )
    # collector2: 1 call, reviewed twice (the latest counts)
    theirs = world.call(world.mine, world.other, may(10))
    sample = sample_draw(
        by=world.lead, first_day=may(1).date(), last_day=may(31).date(), per_collector=1, seed=1
    )
    review_record(activity=mine[1], reviewer=world.lead, answers=_answers(no_threat="fail"))
    review_record(activity=mine[2], reviewer=world.lead, answers=_answers())
    review_record(activity=theirs, reviewer=world.lead, answers=_answers(polite="fail"))
    review_record(activity=theirs, reviewer=world.lead, answers=_answers(), sample=sample)

    out = StringIO()
    call_command("quality", "report", "--month", "2026-05", "--json", stdout=out)
    report = json.loads(out.getvalue())

    one, two = report["collectors"]
    assert (one["collector"], one["calls"], one["recorded"], one["recorded_pct"]) == (
        "collector1",
        4,
        2,
        50.0,
    )
    # the flagged call is always drawn, so collector1's one call is it
    assert SampledCall.objects.filter(activity=mine[1]).exists()
    assert (one["sampled"], one["reviewed"], one["average_score"]) == (1, 2, 90.0)
    assert one["breaches"]["no_threat"] == 1 and (one["flags"], one["flagged_calls"]) == (2, 1)
    assert (two["collector"], two["calls"], two["sampled"], two["reviewed"]) == (
        "collector2",
        1,
        1,
        1,
    )
    assert two["average_score"] == 100.0 and two["breaches"]["polite"] == 0
    assert report["totals"]["calls"] == 5
    assert Activity.objects.filter(channel="call").count() == 6


def test_a_bad_month_is_refused_with_exit_code_2(world: World) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a month") as refused:
        call_command("quality", "report", "--month", "2026-13")
    assert refused.value.returncode == 2
