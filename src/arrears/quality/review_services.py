"""Drawing calls to review and scoring them (质检): the reviewer's two acts, both audited.

A reviewer (capability ``quality_review``) draws a sample from the calls of the cases in
their scope over a period, per collector (``quality.sampling``: a share or a number, flagged
calls always in, reproducible from the stored seed); their own calls are never drawn. They
score a call on the checklist (``quality.checklist``); a review is a new row every time
(append-only), sealed with its SHA-256 and written with its audit entry in one transaction.
Nobody reviews their own calls.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.cases.models import Activity
from arrears.cases.scoping import cases_visible_to
from arrears.compliance.choices import Channel
from arrears.core.audit import audit_record
from arrears.core.errors import Forbidden, InvalidInput
from arrears.quality.checklist import (
    ChecklistError,
    checklist_breaches,
    checklist_score,
    checklist_validate,
)
from arrears.quality.models import CallFlag, Review, ReviewSample, SampledCall
from arrears.quality.periods import day_span
from arrears.quality.sampling import Call, sample_draw_pure

MAX_COMMENT = 4000
MAX_SAMPLE_DAYS = 366
MAX_SEED = 2**62


def _reviewer_check(user: User | None) -> None:
    if user is not None and (not user.is_active or not role_can(user.role, "quality_review")):
        raise PermissionDenied(refusal(user.role, "quality_review"))


def _period_check(first_day: date, last_day: date) -> None:
    if last_day < first_day:
        raise InvalidInput(_("the period ends before it starts"), field="last_day")
    if last_day - first_day > timedelta(days=MAX_SAMPLE_DAYS):
        raise InvalidInput(
            _("a sample covers at most %(days)d days") % {"days": MAX_SAMPLE_DAYS},
            field="last_day",
        )


def _size_check(rate_bp: int | None, per_collector: int | None) -> None:
    if (rate_bp is None) == (per_collector is None):
        raise InvalidInput(
            _("give either a share of calls or a number of calls per collector"), field="rate"
        )
    if rate_bp is not None and not 1 <= rate_bp <= 10_000:
        raise InvalidInput(_("the share is between 0.01 % and 100 %"), field="rate")
    if per_collector is not None and not 1 <= per_collector <= 1000:
        raise InvalidInput(
            _("the number of calls per collector is between 1 and 1000"), field="per_collector"
        )


def sample_draw(
    *,
    by: User,
    first_day: date,
    last_day: date,
    rate_bp: int | None = None,
    per_collector: int | None = None,
    seed: int | None = None,
    collector: User | None = None,
) -> ReviewSample:
    """Draw and store a sample of the calls made from ``first_day`` to ``last_day`` on
    the cases in ``by``'s scope (of ``collector`` only, when given), excluding ``by``'s own.
    ``seed`` reproduces an earlier draw; a new one is chosen when not given."""
    _reviewer_check(by)
    _period_check(first_day, last_day)
    _size_check(rate_bp, per_collector)
    if seed is None:
        seed = secrets.randbelow(MAX_SEED)
    elif not 0 <= seed < MAX_SEED:
        raise InvalidInput(_("the seed is a whole number from 0 to 2^62"), field="seed")
    start, end = day_span(first_day, last_day)
    calls = (
        Activity.objects.filter(
            channel=Channel.CALL, at__gte=start, at__lt=end, case__in=cases_visible_to(by)
        )
        .exclude(by_id=by.pk)
        .annotate(flagged=Exists(CallFlag.objects.filter(activity_id=OuterRef("pk"))))
    )
    if collector is not None:
        calls = calls.filter(by_id=collector.pk)
    drawn = sample_draw_pure(
        (
            Call(pk, by_id, flagged)
            for pk, by_id, flagged in calls.values_list("pk", "by_id", "flagged")
        ),
        seed=seed,
        rate_bp=rate_bp,
        per_collector=per_collector,
    )
    with transaction.atomic():
        sample = ReviewSample.objects.create(
            by=by,
            collector=collector,
            first_day=first_day,
            last_day=last_day,
            rate_bp=rate_bp,
            per_collector=per_collector,
            seed=seed,
        )
        SampledCall.objects.bulk_create(
            SampledCall(
                sample=sample,
                activity_id=call.activity_id,
                collector_id=call.collector_id,
                flagged=call.flagged,
            )
            for call in drawn
        )
        audit_record(
            actor=by,
            action="quality.sample",
            subject_type="review_sample",
            subject_id=sample.pk,
            data={
                "first_day": first_day.isoformat(),
                "last_day": last_day.isoformat(),
                "collector": collector.pk if collector is not None else None,
                "rate_bp": rate_bp,
                "per_collector": per_collector,
                "seed": seed,
                "calls": [call.activity_id for call in drawn],
            },
        )
    return sample


def _review_digest(fields: Mapping[str, object]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def review_record(
    *,
    activity: Activity,
    reviewer: User,
    answers: Mapping[str, str],
    comment: str = "",
    sample: ReviewSample | None = None,
) -> Review:
    """Score the call ``activity`` on the checklist: ``answers`` maps every item to pass,
    fail or na. Refused for a reviewer's own call (``Forbidden``), a contact that is not a
    call, or an incomplete answer sheet (``InvalidInput`` naming the item). The caller has
    checked the scope (``quality.access.call_for``)."""
    _reviewer_check(reviewer)
    if activity.by_id == reviewer.pk:
        raise Forbidden(_("you may not review your own calls"))
    if activity.channel != Channel.CALL:
        raise InvalidInput(_("only calls are reviewed"), field="activity")
    try:
        clean = checklist_validate(answers)
    except ChecklistError as exc:
        raise InvalidInput(
            _("answer pass, fail or not applicable for every item (%(item)s)")
            % {"item": exc.field},
            field=exc.field,
        ) from exc
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(
            _("the comment is at most %(n)d characters") % {"n": MAX_COMMENT}, field="comment"
        )
    score = checklist_score(clean)
    breaches = checklist_breaches(clean)
    fields: dict[str, object] = {
        "activity": activity.pk,
        "collector": activity.by_id,
        "reviewer": reviewer.pk,
        "sample": sample.pk if sample is not None else None,
        "answers": clean,
        "score": score,
        "breaches": breaches,
        "comment": comment,
    }
    with transaction.atomic():
        review = Review.objects.create(
            activity=activity,
            sample=sample,
            collector_id=activity.by_id,
            reviewer=reviewer,
            answers=clean,
            score=score,
            breaches=breaches,
            comment=comment,
            sha256=_review_digest(fields),
        )
        audit_record(
            actor=reviewer,
            action="quality.review",
            subject_type="activity",
            subject_id=activity.pk,
            data={"review": review.pk, "case": activity.case_id, **fields},
        )
    return review
