"""Pages of call recordings and quality review (质检).

Attaching a recording to a call of a case (``recording_attach``, own-scope cases only); the
reviewer's desk (``quality_review``): drawing a sample, its calls, scoring a call on the
checklist, the monthly report per collector (and its Excel download); a recording's audio
for those who may see its case. Thin adapters: the services refuse, the page shows why on
the form's field; a case or call outside the scope is 404, a role without the capability 403.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.cases.scoping import cases_visible_to
from arrears.core.errors import ArrearsError, InvalidInput, NotFound
from arrears.core.spreadsheet import safe_sheet_value
from arrears.quality.access import call_for
from arrears.quality.checklist import ITEM_CODES
from arrears.quality.choices import RecordingSource
from arrears.quality.models import Recording, ReviewSample
from arrears.quality.periods import month_parse
from arrears.quality.recording_services import (
    TRANSCRIPT_MAX_BYTES,
    UploadedAudio,
    recording_attach,
    recording_file,
    transcript_attach,
)
from arrears.quality.review_services import review_record, sample_draw
from arrears.quality.selectors import (
    call_detail,
    quality_report,
    report_totals,
    sample_calls,
    samples_of,
)
from arrears.workbench.quality_forms import ITEM_LABELS, RecordingForm, ReviewForm, SampleForm
from arrears.workbench.selectors.case_page import case_get_for

AUDIO_TYPES = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
    "amr": "audio/amr",
    "ogg": "audio/ogg",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_RECORDING_FIELDS = ("file", "url", "sha256", "transcript")
_SAMPLE_FIELDS = ("first_day", "last_day", "rate", "per_collector", "seed")


def _need(request: HttpRequest, capability: str) -> User:
    user = request.user
    assert isinstance(user, User)
    if not role_can(user.role, capability):
        raise PermissionDenied(refusal(user.role, capability))
    return user


@login_required
def recording_new(request: HttpRequest, case_id: int, activity_id: int) -> HttpResponse:
    """GET: the attach form for a call of the case; POST: attach and go back to the case."""
    user = _need(request, "recording_attach")
    try:
        case = case_get_for(user=user, case_id=case_id)
        activity = call_for(user=user, activity_id=activity_id, capability="recording_attach")
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if activity.case_id != case.pk:
        raise Http404(_("contact %(id)s not found") % {"id": activity_id})
    status = 200
    if request.method == "POST":
        form = RecordingForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            upload, transcript = data["file"], data["transcript"]
            try:
                recording_attach(
                    activity=activity,
                    by=user,
                    upload=(
                        UploadedAudio(name=upload.name or "", data=upload.read())
                        if upload is not None
                        else None
                    ),
                    url=data["url"],
                    sha256=data["sha256"],
                    transcript=transcript.read() if transcript is not None else None,
                )
            except InvalidInput as exc:
                form.add_error(exc.field if exc.field in _RECORDING_FIELDS else None, str(exc))
            else:
                messages.success(request, _("Recording attached to the call."))
                return redirect("workbench:case", case_id=case.pk)
        status = 400
    else:
        form = RecordingForm()
    context = {"case": case, "activity": activity, "form": form}
    return render(request, "workbench/quality/attach.html", context, status=status)


@login_required
@require_POST
def transcript_new(request: HttpRequest, recording_id: int) -> HttpResponse:
    """Add a transcript file to a recording of a call in the person's scope; its forbidden
    phrases are flagged. Back to the case, with the refusal as a message when refused."""
    user = _need(request, "recording_attach")
    recording = Recording.objects.filter(pk=recording_id).first()
    if recording is None:
        raise Http404(_("recording not found"))
    try:
        call_for(user=user, activity_id=recording.activity_id, capability="recording_attach")
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    upload = request.FILES.get("transcript")
    try:
        if upload is None:
            raise InvalidInput(_("choose a transcript file"), field="transcript")
        if upload.size is not None and upload.size > TRANSCRIPT_MAX_BYTES:
            raise InvalidInput(_("the transcript is larger than 2 MB"), field="transcript")
        transcript = transcript_attach(recording=recording, data=upload.read(), by=user)
    except InvalidInput as exc:
        messages.error(request, str(exc))
    else:
        found = transcript.flags.count()
        messages.success(
            request,
            _("Transcript attached: %(n)d forbidden phrases found.") % {"n": found},
        )
    return redirect("workbench:case", case_id=recording.case_id)


@login_required
def recording_audio(request: HttpRequest, recording_id: int) -> FileResponse:
    """The audio of an uploaded recording, for a person who may see its case."""
    user = request.user
    assert isinstance(user, User)
    recording = Recording.objects.filter(
        pk=recording_id, source=RecordingSource.UPLOAD, case__in=cases_visible_to(user)
    ).first()
    if recording is None or not recording_file(recording).is_file():
        raise Http404(_("recording not found"))
    return FileResponse(
        recording_file(recording).open("rb"),
        content_type=AUDIO_TYPES.get(recording.format, "application/octet-stream"),
    )


@login_required
def quality_desk(request: HttpRequest) -> HttpResponse:
    """GET: the reviewer's samples and the draw form; POST: draw a sample and open it."""
    user = _need(request, "quality_review")
    status = 200
    if request.method == "POST":
        form = SampleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            rate = data["rate"]
            try:
                sample = sample_draw(
                    by=user,
                    first_day=data["first_day"],
                    last_day=data["last_day"],
                    rate_bp=int(rate * 100)
                    if rate is not None and data["per_collector"] is None
                    else None,
                    per_collector=data["per_collector"],
                    seed=data["seed"],
                )
            except InvalidInput as exc:
                form.add_error(exc.field if exc.field in _SAMPLE_FIELDS else None, str(exc))
            else:
                return redirect("workbench:quality-sample", sample_id=sample.pk)
        status = 400
    else:
        form = SampleForm()
    context = {"form": form, "samples": samples_of(user), "month": timezone.localdate()}
    return render(request, "workbench/quality/desk.html", context, status=status)


@login_required
def sample_page(request: HttpRequest, sample_id: int) -> HttpResponse:
    """The calls of one of the reviewer's samples, their flags and latest scores."""
    user = _need(request, "quality_review")
    sample = ReviewSample.objects.filter(pk=sample_id, by=user).first()
    if sample is None:
        raise Http404(_("sample not found"))
    context = {"sample": sample, "rows": sample_calls(sample)}
    return render(request, "workbench/quality/sample.html", context)


@login_required
def review_new(request: HttpRequest, activity_id: int) -> HttpResponse:
    """GET: a call's recordings, transcript and flags with the checklist; POST: score it."""
    user = _need(request, "quality_review")
    try:
        activity = call_for(user=user, activity_id=activity_id, capability="quality_review")
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    sample = ReviewSample.objects.filter(pk=request.GET.get("sample") or 0, by=user).first()
    status = 200
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                review = review_record(
                    activity=activity,
                    reviewer=user,
                    answers=form.answers(),
                    comment=form.cleaned_data["comment"],
                    sample=sample,
                )
            except ArrearsError as exc:
                field = getattr(exc, "field", None)
                form.add_error(field if field in form.fields else None, str(exc))
            else:
                messages.success(
                    request, _("Review recorded: score %(score)d.") % {"score": review.score}
                )
                if sample is not None:
                    return redirect("workbench:quality-sample", sample_id=sample.pk)
                return redirect("workbench:quality")
        status = 400
    else:
        form = ReviewForm()
    context = {
        "row": call_detail(activity),
        "form": form,
        "sample": sample,
        "own": activity.by_id == user.pk,
    }
    return render(request, "workbench/quality/review.html", context, status=status)


def _report_rows(request: HttpRequest, user: User) -> tuple[Any, list[Any]]:
    month_text = request.GET.get("month") or f"{timezone.localdate():%Y-%m}"
    first, last = month_parse(month_text)
    return first, quality_report(first_day=first, last_day=last, user=user)


def _workbook(rows: list[Any]) -> bytes:
    # openpyxl is imported on a download only: at module level it cost every process that
    # loads the URLs (each command's system checks, each web worker) 0.05 s.
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    header = [
        _("Collector"),
        _("Calls"),
        _("Recorded"),
        _("Recorded %"),
        _("Sampled"),
        _("Reviewed"),
        _("Average score"),
        *[str(ITEM_LABELS[code]) for code in ITEM_CODES],
        _("Forbidden phrases found"),
    ]
    sheet.append(header)
    for line in rows:
        values: list[object] = [
            line.collector,
            line.calls,
            line.recorded,
            line.recorded_pct,
            line.sampled,
            line.reviewed,
            line.average_score,
            *[line.breaches.get(code, 0) for code in ITEM_CODES],
            line.flags,
        ]
        sheet.append([None] * len(values))
        for cell, value in zip(sheet[sheet.max_row], values, strict=True):
            safe_sheet_value(cell, value)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    """The month's quality per collector in the reviewer's scope; ``?format=xlsx`` downloads
    it as an Excel workbook."""
    user = _need(request, "quality_review")
    try:
        first, rows = _report_rows(request, user)
    except InvalidInput as exc:
        context: dict[str, Any] = {"problem": str(exc), "rows": [], "month": None, "items": []}
        return render(request, "workbench/quality/report.html", context, status=400)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(_workbook(rows), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="quality-{first:%Y-%m}.xlsx"'
        return response
    context = {
        "problem": "",
        "rows": rows,
        "totals": report_totals(rows),
        "month": first,
        "items": [(code, ITEM_LABELS[code]) for code in ITEM_CODES],
    }
    return render(request, "workbench/quality/report.html", context)


urlpatterns: list[URLPattern] = [
    path(
        "cases/<int:case_id>/calls/<int:activity_id>/recording/",
        recording_new,
        name="quality-recording-new",
    ),
    path("quality/recordings/<int:recording_id>/audio", recording_audio, name="quality-audio"),
    path(
        "quality/recordings/<int:recording_id>/transcript/",
        transcript_new,
        name="quality-transcript-new",
    ),
    path("quality/", quality_desk, name="quality"),
    path("quality/samples/<int:sample_id>/", sample_page, name="quality-sample"),
    path("quality/calls/<int:activity_id>/review/", review_new, name="quality-review"),
    path("quality/report/", report_page, name="quality-report"),
]
