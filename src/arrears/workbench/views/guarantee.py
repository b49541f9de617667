"""The guarantor's pay-out (代偿) from the case page: a form with the day, the amount, the
guarantee company, the agreed recourse rate and the evidence (a file kept with its SHA-256).

A thin adapter: ``guarantee_payout`` may use it (403 naming the refusal otherwise), the case
must be in the person's scope (404 otherwise), and ``guarantee.services.payout_record`` does
the work; its refusals (``InvalidInput``) are shown on the form's field, never as a 500.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.core.errors import InvalidInput, NotFound
from arrears.guarantee.services import EVIDENCE_LIMIT, EvidenceFile, payout_record
from arrears.workbench.forms import BoundedDateField, BoundedYuanField
from arrears.workbench.selectors.case_page import case_get_for

# The service's refusals name these fields, which the form has under the same names.
_FIELDS = ("on", "amount", "by", "penalty_rate", "file")


class PayoutForm(forms.Form):
    """What the guarantee company paid the lender, when, and what proves it."""

    on = BoundedDateField(
        label=gettext_lazy("Paid out on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = BoundedYuanField(label=gettext_lazy("Amount paid out (yuan)"), positive=True)
    by = forms.CharField(
        label=gettext_lazy("Guarantee company"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Empty: the loan's guarantor company."),
    )
    penalty_rate = forms.DecimalField(
        label=gettext_lazy("Agreed recourse penalty rate (% a year)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=10,
        decimal_places=6,
        help_text=gettext_lazy("Empty: the loan's penalty rate."),
    )
    evidence = forms.CharField(
        label=gettext_lazy("Evidence"), max_length=2000, required=False, widget=forms.Textarea
    )
    file = forms.FileField(label=gettext_lazy("Evidence file"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            bound.widget.attrs.setdefault("class", "form-control form-control-sm")

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > EVIDENCE_LIMIT:
            raise forms.ValidationError(_("the evidence file is larger than 20 MB"))
        return upload


def _need(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not role_can(user.role, "guarantee_payout"):
        raise PermissionDenied(refusal(user.role, "guarantee_payout"))
    return user


@login_required
def payout_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """GET: the pay-out form for the case's loan; POST: record it and go back to the case."""
    user = _need(request)
    try:
        case = case_get_for(user=user, case_id=case_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    status = 200
    if request.method == "POST":
        form = PayoutForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            rate = data["penalty_rate"]
            try:
                payout = payout_record(
                    loan=case.loan,
                    amount=data["amount"],
                    on=data["on"],
                    by_name=data["by"] or None,
                    penalty_rate=rate / 100 if rate is not None else None,
                    evidence=data["evidence"],
                    evidence_file=(
                        EvidenceFile(name=upload.name or "", data=upload.read())
                        if upload is not None
                        else None
                    ),
                    user=user,
                )
            except InvalidInput as exc:
                form.add_error(exc.field if exc.field in _FIELDS else None, str(exc))
            else:
                messages.success(
                    request,
                    _("Pay-out recorded: recourse claim %(claim)s of %(company)s.")
                    % {"claim": payout.claim.loan_id, "company": payout.guarantor.name},
                )
                return redirect("workbench:case", case_id=case.pk)
        status = 400
    else:
        form = PayoutForm()
    return render(
        request, "workbench/guarantee/payout.html", {"case": case, "form": form}, status=status
    )


urlpatterns: list[URLPattern] = [
    path("cases/<int:case_id>/payout/", payout_new, name="guarantee-payout"),
]
