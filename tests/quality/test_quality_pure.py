"""The pure parts of quality review: the checklist's score, the sample's draw, the audio
sniffing and the transcript search."""

from __future__ import annotations

import pytest

from arrears.quality.audio import audio_format
from arrears.quality.checklist import (
    ITEM_CODES,
    ChecklistError,
    checklist_breaches,
    checklist_score,
    checklist_validate,
)
from arrears.quality.flags import transcript_hits
from arrears.quality.sampling import Call, sample_draw_pure, sample_size
from tests.quality.audio_samples import AMR, EXE, HTML, M4A, MP3, OGG, WAV


def test_the_weights_add_up_to_a_hundred_and_a_clean_call_scores_it() -> None:
    answers = checklist_validate(dict.fromkeys(ITEM_CODES, "pass"))
    assert checklist_score(answers) == 100 and checklist_breaches(answers) == []


def test_a_failed_item_loses_its_weight_over_the_items_that_apply() -> None:
    answers = dict.fromkeys(ITEM_CODES, "pass")
    answers["no_threat"] = "fail"  # weight 20
    answers["promise_recorded"] = "na"  # weight 10, out of the total
    # 70 of 90 = 77.78 → 78 (half up)
    assert checklist_score(checklist_validate(answers)) == 78
    assert checklist_breaches(answers) == ["no_threat"]


def test_an_answer_sheet_missing_an_item_names_it() -> None:
    answers = dict.fromkeys(ITEM_CODES, "pass")
    del answers["polite"]
    with pytest.raises(ChecklistError) as refused:
        checklist_validate(answers)
    assert refused.value.field == "polite"


def test_the_draw_is_reproducible_and_flagged_calls_are_always_in() -> None:
    calls = [Call(n, 1 + n % 2, flagged=(n == 7)) for n in range(1, 41)]
    first = sample_draw_pure(calls, seed=42, rate_bp=1000)
    again = sample_draw_pure(list(reversed(calls)), seed=42, rate_bp=1000)
    other = sample_draw_pure(calls, seed=43, rate_bp=1000)

    assert first == again
    assert first != other
    assert Call(7, 2, flagged=True) in first and Call(7, 2, flagged=True) in other
    # 10 % of each collector's 20 calls, the flagged call counted in
    assert [sum(1 for c in first if c.collector_id == who) for who in (1, 2)] == [2, 2]


def test_a_share_rounds_up_so_every_collector_with_calls_is_heard() -> None:
    assert sample_size(3, rate_bp=500, per_collector=None) == 1
    assert sample_size(3, rate_bp=None, per_collector=5) == 3


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (MP3, "mp3"),
        (WAV, "wav"),
        (AMR, "amr"),
        (OGG, "ogg"),
        (M4A, "m4a"),
        (EXE, None),
        (HTML, None),
    ],
)
def test_audio_is_known_by_its_content(data: bytes, expected: str | None) -> None:
    assert audio_format(data) == expected


def test_a_transcript_with_a_forbidden_phrase_is_hit_where_it_is_said() -> None:
    text = "您好，请尽快还款，不然后果自负。"
    hits = transcript_hits(text)
    assert [(h.category, h.phrase, h.position) for h in hits] == [
        ("threat_of_harm", "后果自负", text.index("后果自负"))
    ]
    assert transcript_hits("您好，请问您方便今天还款吗？") == []
