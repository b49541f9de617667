"""The forms of call recordings and quality review: attaching a recording to a call,
drawing a sample, and scoring a call on the checklist."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.quality.checklist import ITEMS
from arrears.quality.choices import Answer
from arrears.quality.recording_services import TRANSCRIPT_MAX_BYTES, recording_max_bytes
from arrears.workbench.forms import BoundedDateField

# The checklist's labels, marked for translation here (``quality.checklist`` is pure).
ITEM_LABELS = {
    "identity_verified": gettext_lazy("Identity verified"),
    "no_threat": gettext_lazy("No threat or abuse"),
    "no_disclosure": gettext_lazy("No disclosure to third parties"),
    "promise_recorded": gettext_lazy("Promise recorded correctly"),
    "amount_correct": gettext_lazy("Correct debt amount stated"),
    "allowed_hours": gettext_lazy("Within allowed hours"),
    "polite": gettext_lazy("Polite and professional"),
}


def _styled(form: forms.Form) -> None:
    for bound in form.fields.values():
        if isinstance(bound.widget, forms.RadioSelect):
            continue
        css = "form-select form-select-sm" if isinstance(bound.widget, forms.Select) else None
        bound.widget.attrs.setdefault("class", css or "form-control form-control-sm")


class RecordingForm(forms.Form):
    """A recording file, or the URL where the dialer keeps it with its SHA-256; and an
    optional transcript file."""

    file = forms.FileField(label=gettext_lazy("Recording file"), required=False)
    url = forms.CharField(
        label=gettext_lazy("Or its URL at the dialer"), max_length=1000, required=False
    )
    sha256 = forms.CharField(label=gettext_lazy("SHA-256"), max_length=100, required=False)
    transcript = forms.FileField(
        label=gettext_lazy("Transcript (text file)"),
        required=False,
        help_text=gettext_lazy("UTF-8 or GB18030 text."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > recording_max_bytes():
            raise forms.ValidationError(
                _("the recording is larger than %(mb)s MB")
                % {"mb": f"{recording_max_bytes() / (1024 * 1024):g}"}
            )
        return upload

    def clean_transcript(self) -> Any:
        upload = self.cleaned_data.get("transcript")
        if upload is not None and upload.size > TRANSCRIPT_MAX_BYTES:
            raise forms.ValidationError(_("the transcript is larger than 2 MB"))
        return upload


class SampleForm(forms.Form):
    """The period and the share (or number) of each collector's calls to draw."""

    first_day = BoundedDateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last_day = BoundedDateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"})
    )
    rate = forms.DecimalField(
        label=gettext_lazy("Share of each collector's calls (%)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        decimal_places=2,
    )
    per_collector = forms.IntegerField(
        label=gettext_lazy("Or calls per collector"), required=False, min_value=1, max_value=1000
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Seed (to draw an earlier sample again)"),
        required=False,
        min_value=0,
        max_value=2**62 - 1,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("first_day", today.replace(day=1))
        initial.setdefault("last_day", today)
        initial.setdefault("rate", Decimal(5))
        super().__init__(*args, **kwargs)
        _styled(self)


class ReviewForm(forms.Form):
    """Pass, fail or not applicable for every checklist item, and a comment."""

    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in ITEMS:
            self.fields[item.code] = forms.ChoiceField(
                label=ITEM_LABELS[item.code],
                choices=Answer.choices,
                widget=forms.RadioSelect,
                initial=Answer.PASS,
            )
        _styled(self)

    def answers(self) -> dict[str, str]:
        """The checklist's answers of a valid form."""
        return {item.code: self.cleaned_data[item.code] for item in ITEMS}

    def checklist_fields(self) -> list[forms.BoundField]:
        """The checklist's fields, in order, for the template."""
        return [self[item.code] for item in ITEMS]
