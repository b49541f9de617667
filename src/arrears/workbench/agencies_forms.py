"""Forms of agency placement: placing a case, recalling it, choosing a statement."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from arrears.accounts.models import Agency
from arrears.agencies.choices import RecallReason
from arrears.agencies.models import AgencyContract


def _small(form: forms.Form) -> None:
    for field in form.fields.values():
        css = (
            "form-select form-select-sm"
            if isinstance(field.widget, forms.Select)
            else ("form-control form-control-sm")
        )
        field.widget.attrs.setdefault("class", css)


class PlaceForm(forms.Form):
    """Which agency takes the case (under its contract in force on the day)."""

    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        empty_label=None,
    )
    work_item = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, creditor_id: int | None = None, on: date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if creditor_id is not None and on is not None:
            # Offered: the agencies with a contract with the case's creditor in force on the
            # day. A posted choice is judged by the service, which names what is missing.
            in_force = AgencyContract.objects.filter(
                creditor_id=creditor_id, valid_from__lte=on
            ).exclude(valid_to__lt=on)
            field = self.fields["agency"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Agency.objects.filter(
                is_active=True, pk__in=in_force.values("agency_id")
            ).order_by("name")
        _small(self)


class RecallForm(forms.Form):
    """Why the case is taken back from the agency."""

    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[(RecallReason.MANUAL.value, RecallReason.MANUAL.label),
                 (RecallReason.BREACH.value, RecallReason.BREACH.label),
                 (RecallReason.PAID.value, RecallReason.PAID.label)],
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _small(self)


class StatementForm(forms.Form):
    """Which agency's statement, for which month."""

    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.order_by("name"), to_field_name="code"
    )
    month = forms.RegexField(
        label=_("Month"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("Write the month as YYYY-MM, e.g. 2026-04.")},
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _small(self)
