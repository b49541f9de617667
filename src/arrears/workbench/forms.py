"""The forms of the people's pages: what a collector types on the case page (a contact, a
promise, a hold) and on the plan pages (a plan quote, a settlement). Amounts are typed in
yuan and cleaned to fen (``YuanField``); the services judge the rest.

Every field is bounded here, so no value reaches a service or a calculation that could
overflow (a plan starting 9999-12-31 once ended in an HTTP 500): amounts within the
ceiling (``core.bounds``), dates within 1900–2100 and, where a horizon applies, within it
(a promise at most ``MAX_PROMISE_DAYS`` ahead, a plan starting within a year), ids and
counts within their ranges. Each violation is an error on its field.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.cases.choices import ContactOutcome, DelinquencyReason, PartyReached
from arrears.cases.plan_quote import QuoteError, down_payment_of
from arrears.cases.promise_services import MAX_PROMISE_DAYS
from arrears.cases.services import PAGE_HOLD_KINDS
from arrears.compliance.choices import Channel
from arrears.core.bounds import amount_problem, date_problem
from arrears.core.money import parse_yuan
from arrears.workbench.fields import YuanField

# The largest id a 64-bit key holds: a larger number cannot name a row.
MAX_ID = 2**63 - 1
# A plan starts within a year: further ahead it is not a plan for today's arrears.
MAX_PLAN_START_DAYS = 366


class BoundedYuanField(YuanField):
    """``YuanField`` that also refuses amounts above the ceiling."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        fen = super().to_python(value)
        if fen is not None and (problem := amount_problem(fen)):
            raise forms.ValidationError(problem)
        return fen


class BoundedDateField(forms.DateField):
    """A date within 1900–2100 and, with ``max_days_ahead``, at most that far from today."""

    def __init__(self, *args: Any, max_days_ahead: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_days_ahead = max_days_ahead

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        if day is None:
            return None
        if problem := date_problem(day):
            raise forms.ValidationError(problem)
        if self.max_days_ahead is not None:
            latest = timezone.localdate() + timedelta(days=self.max_days_ahead)
            if day > latest:
                raise forms.ValidationError(
                    _("the date may be at most %(days)d days ahead (until %(latest)s)")
                    % {"days": self.max_days_ahead, "latest": latest.isoformat()}
                )
        return day


class BoundedDateTimeField(forms.DateTimeField):
    """A date and time within 1900–2100."""

    def to_python(self, value: Any) -> datetime | None:
        moment = super().to_python(value)
        if moment is not None and (problem := date_problem(moment)):
            raise forms.ValidationError(problem)
        return moment


def _id_field(label: Any, *, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=MAX_ID, required=required)


# --- The case page ------------------------------------------------------------------------


class ContactForm(forms.Form):
    """The contact form on the case page (催记)."""

    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=Channel.choices)
    party = _id_field(gettext_lazy("Party"))
    contact_point = _id_field(gettext_lazy("Number or address"), required=False)
    party_reached = forms.ChoiceField(
        label=gettext_lazy("Party reached"), choices=PartyReached.choices
    )
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=ContactOutcome.choices)
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason for delinquency"),
        choices=[("", "—"), *DelinquencyReason.choices],
        required=False,
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea, max_length=4000
    )
    next_follow_up_at = BoundedDateTimeField(
        label=gettext_lazy("Next follow-up"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    staff = forms.IntegerField(
        label=gettext_lazy("Staff on the visit"), min_value=1, max_value=9, required=False
    )
    promise_amount = BoundedYuanField(
        label=gettext_lazy("Promised amount (yuan)"), required=False, positive=True
    )
    promise_due_on = BoundedDateField(
        label=gettext_lazy("Promised by"), required=False, max_days_ahead=MAX_PROMISE_DAYS
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == ContactOutcome.PROMISE:
            if not data.get("promise_amount") and "promise_amount" not in self.errors:
                self.add_error("promise_amount", _("a promise needs an amount"))
            if not data.get("promise_due_on") and "promise_due_on" not in self.errors:
                self.add_error("promise_due_on", _("a promise needs the date it will be paid by"))
        return data


class PromiseForm(forms.Form):
    """Taking a promise to pay without a contact record (e.g. a promise sent by message)."""

    party = _id_field(gettext_lazy("Party"))
    amount = BoundedYuanField(label=gettext_lazy("Amount (yuan)"), positive=True)
    due_on = BoundedDateField(label=gettext_lazy("Promised by"), max_days_ahead=MAX_PROMISE_DAYS)
    tolerance_days = forms.IntegerField(
        label=gettext_lazy("Tolerance (days)"), min_value=0, max_value=30, initial=2
    )


class HoldForm(forms.Form):
    """A hold from the case page: dispute, complaint, hardship or deceased, on the loan or
    one party."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Hold"),
        choices=[(kind.value, kind.label) for kind in PAGE_HOLD_KINDS],
    )
    party = _id_field(gettext_lazy("Party"), required=False)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000)


# --- Plans and settlements ----------------------------------------------------------------


class PlanForm(forms.Form):
    """The quote calculator's inputs; "Quote" shows the schedule, "Request plan" saves it."""

    total = BoundedYuanField(label=gettext_lazy("Amount to cover (yuan)"))
    down_payment = forms.CharField(
        label=gettext_lazy("Down payment (yuan, or a percentage such as 30%)"),
        required=False,
        max_length=40,
    )
    installments = forms.IntegerField(
        label=gettext_lazy("Monthly installments"), min_value=1, max_value=60, initial=6
    )
    start_on = BoundedDateField(
        label=gettext_lazy("First installment on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        max_days_ahead=MAX_PLAN_START_DAYS,
    )
    tolerance_days = forms.IntegerField(
        label=gettext_lazy("Tolerance (days)"), min_value=0, max_value=30, initial=3
    )
    reason = forms.CharField(
        label=gettext_lazy("Why this plan suits the borrower"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        total, text = data.get("total"), (data.get("down_payment") or "").strip()
        if total is None:
            return data
        try:
            if text.endswith(("%", "％")):
                data["down_payment"] = down_payment_of(total, text[:-1].strip())
            else:
                data["down_payment"] = parse_yuan(text) if text else 0
        except (QuoteError, ValueError):
            self.add_error("down_payment", _("enter an amount in yuan or a percentage such as 30%"))
            return data
        if problem := amount_problem(data["down_payment"]):
            self.add_error("down_payment", problem)
        return data


class SettlementForm(forms.Form):
    """What to waive by component, and what the borrower pays for it and by when."""

    waive_penalty = BoundedYuanField(label=gettext_lazy("Waive penalty (yuan)"), required=False)
    waive_interest = BoundedYuanField(label=gettext_lazy("Waive interest (yuan)"), required=False)
    waive_fees = BoundedYuanField(label=gettext_lazy("Waive fees (yuan)"), required=False)
    waive_principal = BoundedYuanField(label=gettext_lazy("Waive principal (yuan)"), required=False)
    pay_amount = BoundedYuanField(label=gettext_lazy("Borrower pays (yuan)"), required=False)
    pay_by = BoundedDateField(
        label=gettext_lazy("Pay by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
