"""The borrower portal's forms: the two sign-in steps and the borrower's requests. Each
cleans its input into what the services take (fen, dates) and says what is wrong in the
borrower's language."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.core.money import parse_yuan

_LAST4 = re.compile(r"^[0-9Xx]{4}$")
_CODE = re.compile(r"^[0-9]{6}$")


class IdForm(forms.Form):
    """The first step: the last four characters of the party's ID number."""

    last4 = forms.CharField(label=gettext_lazy("Last four characters of your ID number"))

    def clean_last4(self) -> str:
        value = str(self.cleaned_data["last4"]).strip()
        if not _LAST4.match(value):
            raise forms.ValidationError(_("Enter four digits (or X)."))
        return value.upper()


class CodeForm(forms.Form):
    """The second step: the six-digit code sent by SMS."""

    code = forms.CharField(label=gettext_lazy("Six-digit code"))

    def clean_code(self) -> str:
        value = re.sub(r"\s", "", str(self.cleaned_data["code"]))
        if not _CODE.match(value):
            raise forms.ValidationError(_("Enter the six digits of the code."))
        return value


class PromiseForm(forms.Form):
    """A promise: an amount in yuan and the date it will be paid by."""

    amount = forms.CharField(label=gettext_lazy("Amount (yuan)"))
    due_on = forms.DateField(label=gettext_lazy("I will pay by"))

    def clean_amount(self) -> int:
        try:
            fen = parse_yuan(str(self.cleaned_data["amount"]))
        except ValueError as error:
            raise forms.ValidationError(_("enter an amount in yuan, e.g. 1,234.50")) from error
        if fen <= 0:
            raise forms.ValidationError(_("enter an amount above zero"))
        return fen


class PlanForm(forms.Form):
    """One of the plans offered (its key, e.g. ``30-3``)."""

    option = forms.CharField(max_length=20)


class ReasonForm(forms.Form):
    """A dispute or a hardship pause: why, in the borrower's words."""

    reason = forms.CharField(
        label=gettext_lazy("In a few words, why"), max_length=1000, widget=forms.Textarea
    )


class OptOutForm(forms.Form):
    """A channel to close, among those offered."""

    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=())

    def __init__(self, *args: Any, channels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["channel"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = channels
