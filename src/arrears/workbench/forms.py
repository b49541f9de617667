"""The forms of the people's pages: what a collector types on the case page (a contact, a
promise, a hold) and on the plan pages (a plan quote, a settlement). Amounts are typed in
yuan and cleaned to fen (``YuanField``); the services judge the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.cases.choices import ContactOutcome, DelinquencyReason, PartyReached
from arrears.cases.plan_quote import QuoteError, down_payment_of
from arrears.cases.services import PAGE_HOLD_KINDS
from arrears.compliance.choices import Channel
from arrears.core.money import parse_yuan
from arrears.workbench.fields import YuanField

# --- The case page ------------------------------------------------------------------------


class ContactForm(forms.Form):
    """The contact form on the case page (催记)."""

    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=Channel.choices)
    party = forms.IntegerField(label=gettext_lazy("Party"))
    contact_point = forms.IntegerField(label=gettext_lazy("Number or address"), required=False)
    party_reached = forms.ChoiceField(
        label=gettext_lazy("Party reached"), choices=PartyReached.choices
    )
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=ContactOutcome.choices)
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason for delinquency"),
        choices=[("", "—"), *DelinquencyReason.choices],
        required=False,
    )
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea)
    next_follow_up_at = forms.DateTimeField(
        label=gettext_lazy("Next follow-up"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    staff = forms.IntegerField(
        label=gettext_lazy("Staff on the visit"), min_value=1, max_value=9, required=False
    )
    promise_amount = YuanField(
        label=gettext_lazy("Promised amount (yuan)"), required=False, positive=True
    )
    promise_due_on = forms.DateField(label=gettext_lazy("Promised by"), required=False)

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

    party = forms.IntegerField(label=gettext_lazy("Party"))
    amount = YuanField(label=gettext_lazy("Amount (yuan)"), positive=True)
    due_on = forms.DateField(label=gettext_lazy("Promised by"))
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
    party = forms.IntegerField(label=gettext_lazy("Party"), required=False)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000)


# --- Plans and settlements ----------------------------------------------------------------


class PlanForm(forms.Form):
    """The quote calculator's inputs; "Quote" shows the schedule, "Request plan" saves it."""

    total = YuanField(label=gettext_lazy("Amount to cover (yuan)"))
    down_payment = forms.CharField(
        label=gettext_lazy("Down payment (yuan, or a percentage such as 30%)"),
        required=False,
    )
    installments = forms.IntegerField(
        label=gettext_lazy("Monthly installments"), min_value=1, max_value=60, initial=6
    )
    start_on = forms.DateField(
        label=gettext_lazy("First installment on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    tolerance_days = forms.IntegerField(
        label=gettext_lazy("Tolerance (days)"), min_value=0, max_value=30, initial=3
    )
    reason = forms.CharField(
        label=gettext_lazy("Why this plan suits the borrower"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
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


class SettlementForm(forms.Form):
    """What to waive by component, and what the borrower pays for it and by when."""

    waive_penalty = YuanField(label=gettext_lazy("Waive penalty (yuan)"), required=False)
    waive_interest = YuanField(label=gettext_lazy("Waive interest (yuan)"), required=False)
    waive_fees = YuanField(label=gettext_lazy("Waive fees (yuan)"), required=False)
    waive_principal = YuanField(label=gettext_lazy("Waive principal (yuan)"), required=False)
    pay_amount = YuanField(label=gettext_lazy("Borrower pays (yuan)"), required=False)
    pay_by = forms.DateField(
        label=gettext_lazy("Pay by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
