"""Forms of field work: recording a visit, and skip tracing (a new contact point, an
employer, a contact person, verifying or invalidating a point)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from arrears.accounts.models import User
from arrears.field.choices import ContactSource, VisitOutcome
from arrears.portfolio.choices import ContactKind
from arrears.workbench.forms import BoundedDateTimeField

MAX_ID = 2**62


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that takes several files at once."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files (none is fine); each is checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _small(field: forms.Field) -> forms.Field:
    field.widget.attrs.setdefault("class", "form-control form-control-sm")
    return field


class VisitForm(forms.Form):
    """A visit by two or more staff: who went, where, when, what was found, the evidence."""

    party = forms.TypedChoiceField(label=gettext_lazy("Person visited"), coerce=int)
    address = forms.TypedChoiceField(
        label=gettext_lazy("Address visited"), coerce=int, required=False, empty_value=None
    )
    new_address = forms.CharField(
        label=gettext_lazy("Or a new address found on the visit"), max_length=300, required=False
    )
    colleagues = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Colleagues on the visit"), coerce=int, required=False
    )
    arrived_at = BoundedDateTimeField(
        label=gettext_lazy("Time in"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    left_at = BoundedDateTimeField(
        label=gettext_lazy("Time out"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("What the visit found"), choices=VisitOutcome.choices
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    latitude = forms.DecimalField(
        label=gettext_lazy("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-90),
        max_value=Decimal(90),
    )
    longitude = forms.DecimalField(
        label=gettext_lazy("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-180),
        max_value=Decimal(180),
    )
    evidence = MultipleFileField(label=gettext_lazy("Photos or PDFs"), required=False)

    def __init__(
        self,
        *args: Any,
        parties: Sequence[tuple[int, str]],
        addresses: Sequence[tuple[int, str]],
        colleagues: Sequence[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = list(parties)  # type: ignore[attr-defined]
        self.fields["address"].choices = [("", "—"), *addresses]  # type: ignore[attr-defined]
        self.fields["colleagues"].choices = [  # type: ignore[attr-defined]
            (u.pk, f"{u.get_full_name() or u.get_username()} ({u.get_username()})")
            for u in colleagues
        ]
        for name, bound in self.fields.items():
            if name not in ("colleagues", "evidence"):
                _small(bound)
        self.fields["colleagues"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["evidence"].widget.attrs["class"] = "form-control form-control-sm"


class ContactPointForm(forms.Form):
    """A newly found phone, email or address for a party, and where it was found."""

    party = forms.IntegerField(label=gettext_lazy("Party"), min_value=1, max_value=MAX_ID)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ContactKind.choices)
    value = forms.CharField(label=gettext_lazy("Phone, email or address"), max_length=300)
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=ContactSource.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=400, required=False)


class EmployerForm(forms.Form):
    """A party's newly found employer."""

    party = forms.IntegerField(label=gettext_lazy("Party"), min_value=1, max_value=MAX_ID)
    employer = forms.CharField(label=gettext_lazy("Employer"), max_length=200)
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=ContactSource.choices)


class ContactPersonForm(forms.Form):
    """A newly found contact person and their phone."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40)
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=ContactSource.choices)


class JudgeForm(forms.Form):
    """A contact point found valid or invalid, and why."""

    contact_point = forms.IntegerField(min_value=1, max_value=MAX_ID)
    valid = forms.TypedChoiceField(
        choices=[("1", gettext_lazy("Valid")), ("0", gettext_lazy("Invalid"))],
        coerce=lambda value: value == "1",
    )
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=400)
