"""Call recordings, transcripts, their automatic flags, review samples and reviews (质检).

All of it is evidence and append-only: a recording is never replaced or deleted (a call may
have several), a transcript or a review is never edited (a new one is added), and each
carries the SHA-256 of its content. Journals take no database foreign keys
(``db_constraint=False``), as elsewhere in the system.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.cases.models import Activity, CollectionCase
from arrears.quality.choices import FLAG_CATEGORIES, RecordingSource


class Recording(models.Model):
    """The audio of a call (a ``cases.Activity`` on the call channel): a file kept under
    ``DATA_DIR/quality/recordings/`` or a URL where the dialer keeps it, with its SHA-256."""

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    case = models.ForeignKey(
        CollectionCase, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    source = models.CharField(_("source"), max_length=10, choices=RecordingSource.choices)
    format = models.CharField(_("format"), max_length=10, blank=True, default="")
    url = models.URLField(_("URL"), max_length=1000, blank=True, default="")
    path = models.CharField(_("file"), max_length=500, blank=True, default="")
    name = models.CharField(_("file name"), max_length=200, blank=True, default="")
    size = models.BigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("attached at"), auto_now_add=True)

    class Meta:
        ordering = ["activity_id", "id"]
        verbose_name = _("call recording")
        verbose_name_plural = _("call recordings")
        indexes = [models.Index(fields=["activity"], name="recording_activity")]

    def __str__(self) -> str:
        return f"recording {self.pk} of activity {self.activity_id}"


class Transcript(models.Model):
    """The text of a recorded call, as uploaded (UTF-8, or GB18030 converted to text); the
    latest of a recording's transcripts is the one shown."""

    recording = models.ForeignKey(
        Recording, on_delete=models.PROTECT, related_name="transcripts", db_constraint=False
    )
    text = models.TextField(_("text"))
    encoding = models.CharField(_("encoding as uploaded"), max_length=20)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("attached at"), auto_now_add=True)

    class Meta:
        ordering = ["recording_id", "id"]
        verbose_name = _("transcript")
        verbose_name_plural = _("transcripts")

    def __str__(self) -> str:
        return f"transcript {self.pk} of recording {self.recording_id}"


class CallFlag(models.Model):
    """A forbidden phrase (the compliance linter's) found in a call's transcript: its
    category, the phrase and its character position. Reviewers see it; a flagged call is
    always in the review sample."""

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    transcript = models.ForeignKey(
        Transcript, on_delete=models.PROTECT, related_name="flags", db_constraint=False
    )
    category = models.CharField(_("category"), max_length=50)
    phrase = models.CharField(_("phrase"), max_length=200)
    position = models.IntegerField(_("position"))
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        ordering = ["activity_id", "transcript_id", "position", "id"]
        verbose_name = _("call flag")
        verbose_name_plural = _("call flags")
        indexes = [models.Index(fields=["activity"], name="callflag_activity")]

    def __str__(self) -> str:
        return f"{self.category} at {self.position} in activity {self.activity_id}"

    @property
    def category_label(self) -> str:
        """The category in the reader's language (its code when the data added a new one)."""
        return str(FLAG_CATEGORIES.get(self.category, self.category))


class ReviewSample(models.Model):
    """A reviewer's draw of calls to listen to: the period, the collector (or every one in
    the reviewer's scope), the share or number per collector, and the seed that reproduces
    the draw."""

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        null=True,
        blank=True,
    )
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    rate_bp = models.IntegerField(_("share of calls (basis points)"), null=True, blank=True)
    per_collector = models.IntegerField(_("calls per collector"), null=True, blank=True)
    seed = models.BigIntegerField(_("seed"))
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review sample")
        verbose_name_plural = _("review samples")

    def __str__(self) -> str:
        return f"sample {self.pk} {self.first_day}–{self.last_day}"


class SampledCall(models.Model):
    """A call drawn into a sample, with its collector and whether it was drawn for a flag."""

    sample = models.ForeignKey(
        ReviewSample, on_delete=models.PROTECT, related_name="calls", db_constraint=False
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    flagged = models.BooleanField(_("flagged"), default=False)

    class Meta:
        ordering = ["sample_id", "collector_id", "activity_id"]
        verbose_name = _("sampled call")
        verbose_name_plural = _("sampled calls")
        constraints = [
            models.UniqueConstraint(fields=["sample", "activity"], name="sampledcall_once")
        ]

    def __str__(self) -> str:
        return f"activity {self.activity_id} in sample {self.sample_id}"


class Review(models.Model):
    """A reviewer's score of a call on the checklist (``quality.checklist``): the answers,
    the weighted score 0–100, the breaches (items failed) and a comment. Append-only: a
    re-review is a new row, and the latest one is the call's score. Audited."""

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    sample = models.ForeignKey(
        ReviewSample,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        null=True,
        blank=True,
    )
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    answers = models.JSONField(_("answers"))
    score = models.IntegerField(_("score"))
    breaches = models.JSONField(_("breaches"), default=list)
    comment = models.TextField(_("comment"), blank=True, default="")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    class Meta:
        ordering = ["activity_id", "-id"]
        verbose_name = _("call review")
        verbose_name_plural = _("call reviews")
        indexes = [models.Index(fields=["activity"], name="review_activity")]

    def __str__(self) -> str:
        return f"review {self.pk} of activity {self.activity_id}: {self.score}"
