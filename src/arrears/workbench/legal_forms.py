"""The legal desk's forms: starting a matter from a case, recording its events and costs,
drafting a court paper and closing it. Amounts are typed in yuan and cleaned to fen, dates
are bounded (``workbench.forms``); the legal services judge the rest (a date before the
loan was disbursed, an event the matter's kind cannot have) and their refusals are shown
on the field they name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from arrears.legal.choices import (
    CostKind,
    DocumentFormat,
    DocumentKind,
    MatterKind,
    MatterOutcome,
)
from arrears.legal.services import JUDGMENT_OUTCOMES
from arrears.portfolio.models import Loan
from arrears.workbench.forms import BoundedDateField, BoundedYuanField


class _Styled(forms.Form):
    """A form whose inputs carry Bootstrap's small classes (checkboxes excepted)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            widget = bound.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", f"{css} {css}-sm")


def _day(label: Any, *, required: bool = True) -> BoundedDateField:
    return BoundedDateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
    )


class MatterOpenForm(_Styled):
    """Start a matter from a case: its kind, court, the court's case number, the day the
    letter went out or the papers were filed, and the borrower's other loans it covers."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=MatterKind.choices)
    court = forms.CharField(label=gettext_lazy("Court"), max_length=200, required=False)
    case_number = forms.CharField(
        label=gettext_lazy("Court case number"), max_length=100, required=False
    )
    on = _day(gettext_lazy("Filed or sent on"))
    also = forms.MultipleChoiceField(
        label=gettext_lazy("Also cover the borrower's other loans"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, others: Sequence[Loan] = (), **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
        also = self.fields["also"]
        assert isinstance(also, forms.MultipleChoiceField)
        also.choices = [(str(loan.pk), loan.loan_id) for loan in others]


class EventForm(_Styled):
    """Record what the court or a party did: only the events the matter's kind may have."""

    kind = forms.ChoiceField(label=gettext_lazy("Event"))
    on = _day(gettext_lazy("On"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=4000)
    amount = BoundedYuanField(label=gettext_lazy("Recovered (yuan)"), required=False, positive=True)
    outcome = forms.ChoiceField(label=gettext_lazy("Judgment outcome"), required=False)

    def __init__(self, *args: Any, kinds: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        outcome = self.fields["outcome"]
        assert isinstance(kind, forms.ChoiceField) and isinstance(outcome, forms.ChoiceField)
        kind.choices = list(kinds)
        outcome.choices = [("", "—")] + [
            (value, label) for value, label in MatterOutcome.choices if value in JUDGMENT_OUTCOMES
        ]


class CostForm(_Styled):
    """Money spent on the matter; a recoverable cost joins the claim."""

    kind = forms.ChoiceField(label=gettext_lazy("Cost"), choices=CostKind.choices)
    amount = BoundedYuanField(label=gettext_lazy("Amount (yuan)"), positive=True)
    on = _day(gettext_lazy("Paid on"))
    recoverable = forms.BooleanField(
        label=gettext_lazy("Recoverable from the debtor"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)


class DocumentForm(_Styled):
    """Draft a court paper for one of the matter's loans, with its figures as of a day."""

    kind = forms.ChoiceField(label=gettext_lazy("Document"), choices=DocumentKind.choices)
    fmt = forms.ChoiceField(label=gettext_lazy("Format"), choices=DocumentFormat.choices)
    as_of = _day(gettext_lazy("Figures as of"))
    loan = forms.ChoiceField(label=gettext_lazy("Loan"))

    def __init__(self, *args: Any, loans: Sequence[Loan] = (), **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("as_of", timezone.localdate())
        super().__init__(*args, **kwargs)
        loan = self.fields["loan"]
        assert isinstance(loan, forms.ChoiceField)
        loan.choices = [(str(x.pk), x.loan_id) for x in loans]


class CloseForm(_Styled):
    """Close the matter with how it ended."""

    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[(v, label) for v, label in MatterOutcome.choices if v != MatterOutcome.PENDING],
    )
    on = _day(gettext_lazy("Closed on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
