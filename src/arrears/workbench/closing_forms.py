"""Forms of the closing pages: a write-off proposal, a person's close, a blacklist proposal,
a stop-loss keep. Field names match the services' ``InvalidInput.field`` so a refusal lands
on its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.cases.writeoff_services import EVIDENCE_LIMIT

MAX_FILES = 5


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            bound.widget.attrs.setdefault("class", "form-control form-control-sm")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented pattern); cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class WriteOffForm(_Styled):
    """Why the debt should be written off and what proves it."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.CharField(
        label=gettext_lazy("Evidence"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What was checked: asset searches, court rulings, certificates."),
    )
    evidence_files = MultipleFileField(label=gettext_lazy("Evidence files"), required=False)

    def clean_evidence_files(self) -> list[Any]:
        uploads = [item for item in self.cleaned_data.get("evidence_files") or [] if item]
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(_("attach at most %(n)s files") % {"n": MAX_FILES})
        for upload in uploads:
            if upload.size > EVIDENCE_LIMIT:
                raise forms.ValidationError(
                    _("the evidence file %(name)s is larger than 20 MB") % {"name": upload.name}
                )
        return list(uploads)


class CloseForm(_Styled):
    """A person's close: deceased or legal proceedings ended, and why."""

    reason = forms.ChoiceField(
        label=gettext_lazy("Close as"),
        choices=[
            ("deceased", gettext_lazy("Deceased (死亡)")),
            ("legal_terminated", gettext_lazy("Legal proceedings ended (终结执行)")),
        ],
    )
    note = forms.CharField(
        label=gettext_lazy("Why (certificate, ruling …)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BlacklistForm(_Styled):
    """Which party of the case, and why it should be blacklisted."""

    party = forms.TypedChoiceField(label=gettext_lazy("Party"), coerce=int)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, parties: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["party"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = parties


class KeepForm(_Styled):
    """Why a case on the stop-loss list is worth collecting this week."""

    reason = forms.CharField(label=gettext_lazy("Why keep it"), max_length=1000)
