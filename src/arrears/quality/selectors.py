"""Reads of the quality work: a case's calls with their recordings and flags, a sample's
calls, and the monthly quality report per collector. Each read runs a fixed number of
queries whatever the number of rows, and every read of calls is scoped by the case.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, QuerySet

from arrears.accounts.models import User
from arrears.cases.models import Activity
from arrears.cases.scoping import cases_visible_to
from arrears.compliance.choices import Channel
from arrears.quality.checklist import ITEM_CODES
from arrears.quality.models import CallFlag, Recording, Review, ReviewSample, SampledCall
from arrears.quality.periods import day_span


@dataclass
class RecordingRow:
    """A recording as shown: the row, its latest transcript's text, and its flags."""

    recording: Recording
    transcript: str = ""
    flags: list[CallFlag] = field(default_factory=list)


@dataclass
class CallRow:
    """A call with its recordings, flags and latest review."""

    activity: Activity
    recordings: list[RecordingRow] = field(default_factory=list)
    flags: list[CallFlag] = field(default_factory=list)
    review: Review | None = None


def _calls_with_evidence(activities: list[Activity]) -> list[CallRow]:
    """``activities`` as ``CallRow``s, their recordings, transcripts, flags and latest
    review read in four queries (none for no calls: a case's page without any is common,
    and building the empty queries alone cost a millisecond)."""
    if not activities:
        return []
    ids = [activity.pk for activity in activities]
    rows = {activity.pk: CallRow(activity) for activity in activities}
    recordings: dict[int, RecordingRow] = {}
    for recording in Recording.objects.filter(activity_id__in=ids).prefetch_related("transcripts"):
        shown = RecordingRow(recording)
        transcripts = list(recording.transcripts.all())
        if transcripts:
            shown.transcript = transcripts[-1].text
        recordings[recording.pk] = shown
        rows[recording.activity_id].recordings.append(shown)
    for flag in CallFlag.objects.filter(activity_id__in=ids).select_related("transcript"):
        rows[flag.activity_id].flags.append(flag)
        shown_recording = recordings.get(flag.transcript.recording_id)
        if shown_recording is not None:
            shown_recording.flags.append(flag)
    for review in Review.objects.filter(activity_id__in=ids).order_by("activity_id", "-id"):
        if rows[review.activity_id].review is None:
            rows[review.activity_id].review = review
    return [rows[pk] for pk in ids]


def case_calls(*, case_id: int, limit: int = 10) -> list[CallRow]:
    """The case's latest ``limit`` calls, newest first, with their evidence. The caller has
    the case from a scoped read."""
    activities = list(
        Activity.objects.filter(case_id=case_id, channel=Channel.CALL)
        .select_related("by")
        .order_by("-at", "-id")[:limit]
    )
    return _calls_with_evidence(activities)


def calls_of(activities: list[Activity]) -> list[CallRow]:
    """``activities`` (calls the caller has read already, in scope and in its order: the
    case page's timeline) with their evidence, in the same queries as ``case_calls``."""
    return _calls_with_evidence(activities)


def call_detail(activity: Activity) -> CallRow:
    """One call (from ``quality.access.call_for``) with its evidence."""
    return _calls_with_evidence([activity])[0]


def samples_of(user: User, *, limit: int = 50) -> QuerySet[ReviewSample]:
    """The samples ``user`` drew, newest first, with their number of calls."""
    return (
        ReviewSample.objects.filter(by=user)
        .select_related("collector")
        .annotate(size=Count("calls"))
        .order_by("-created_at", "-id")[:limit]
    )


def sample_calls(sample: ReviewSample) -> list[CallRow]:
    """The calls of ``sample`` in order, with their evidence (the sample is the user's)."""
    ids = list(sample.calls.values_list("activity_id", flat=True))
    order = {pk: n for n, pk in enumerate(ids)}
    activities = sorted(
        Activity.objects.filter(pk__in=ids).select_related("by", "case__loan"),
        key=lambda activity: order[activity.pk],
    )
    return _calls_with_evidence(activities)


@dataclass
class CollectorQuality:
    """One collector's month: calls, recorded calls, sampled, reviewed (latest review per
    call), their average score, breaches by checklist item, automatic flags."""

    collector_id: int
    collector: str
    calls: int = 0
    recorded: int = 0
    sampled: int = 0
    reviewed: int = 0
    score_total: int = 0
    breaches: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ITEM_CODES, 0))
    flags: int = 0
    flagged_calls: int = 0

    @property
    def recorded_pct(self) -> float:
        """The share of calls with a recording, in percent (one decimal)."""
        return round(100 * self.recorded / self.calls, 1) if self.calls else 0.0

    @property
    def average_score(self) -> float | None:
        """The average of the calls' latest scores (one decimal); None when none reviewed."""
        return round(self.score_total / self.reviewed, 1) if self.reviewed else None

    def as_dict(self) -> dict[str, object]:
        """The row for ``--json`` and the API."""
        return {
            "collector": self.collector,
            "calls": self.calls,
            "recorded": self.recorded,
            "recorded_pct": self.recorded_pct,
            "sampled": self.sampled,
            "reviewed": self.reviewed,
            "average_score": self.average_score,
            "breaches": self.breaches,
            "flags": self.flags,
            "flagged_calls": self.flagged_calls,
        }


def quality_report(
    *, first_day: date, last_day: date, user: User | None = None
) -> list[CollectorQuality]:
    """Per collector, the quality of the calls made from ``first_day`` to ``last_day`` on
    the cases ``user`` may see (every case when None), by collector name. Five queries."""
    start, end = day_span(first_day, last_day)
    calls = Activity.objects.filter(channel=Channel.CALL, at__gte=start, at__lt=end)
    if user is not None:
        calls = calls.filter(case__in=cases_visible_to(user))
    rows: dict[int, CollectorQuality] = {}

    def row(collector_id: int) -> CollectorQuality:
        if collector_id not in rows:
            rows[collector_id] = CollectorQuality(collector_id, "")
        return rows[collector_id]

    grouped = (
        calls.annotate(
            has_recording=Exists(Recording.objects.filter(activity_id=OuterRef("pk"))),
            has_flag=Exists(CallFlag.objects.filter(activity_id=OuterRef("pk"))),
            was_sampled=Exists(SampledCall.objects.filter(activity_id=OuterRef("pk"))),
        )
        .values_list("by_id", "has_recording", "has_flag", "was_sampled")
        .annotate(n=Count("id"))
        .order_by()
    )
    for collector_id, recorded, flagged, sampled, count in grouped:
        line = row(collector_id)
        line.calls += count
        line.recorded += count if recorded else 0
        line.flagged_calls += count if flagged else 0
        line.sampled += count if sampled else 0
    flags = (
        CallFlag.objects.filter(activity__in=calls.values("pk"))
        .values_list("activity__by_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for collector_id, count in flags:
        row(collector_id).flags += count
    seen: set[int] = set()
    latest = (
        Review.objects.filter(activity__in=calls.values("pk"))
        .order_by("activity_id", "-id")
        .values_list("activity_id", "collector_id", "score", "breaches")
    )
    for activity_id, collector_id, score, breaches in latest:
        if activity_id in seen:
            continue  # an earlier review, superseded by the re-review read just before
        seen.add(activity_id)
        line = row(collector_id)
        line.reviewed += 1
        line.score_total += score
        for item in breaches:
            line.breaches[item] = line.breaches.get(item, 0) + 1
    names = dict(User.objects.filter(pk__in=list(rows)).values_list("pk", "username"))
    for collector_id, line in rows.items():
        line.collector = names.get(collector_id, str(collector_id))
    return sorted(rows.values(), key=lambda line: line.collector)


def report_totals(rows: list[CollectorQuality]) -> dict[str, int]:
    """The month's totals over every collector's row."""
    totals: defaultdict[str, int] = defaultdict(int)
    for line in rows:
        for name in ("calls", "recorded", "sampled", "reviewed", "flags", "flagged_calls"):
            totals[name] += getattr(line, name)
    return dict(totals)
