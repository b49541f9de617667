"""Workbench page: payments that arrived by provider notice but found no open loan, and
matching one to a loan by hand.

Thin adapter: the role needs ``payments_match`` (403 without it); a manager sees the
notices of their creditors, an administrator all of them (those whose creditor is not known
included); the loan is looked up by loan id within the person's loan scope
(``workbench.selectors.loans``). Matching is two steps — review the loan, then confirm —
and writes through ``portfolio.services.notices.notice_match`` (posted through
``payment_post``, audited), followed by the same intraday effects as a payment posted
through the API.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.accounts.selectors import creditor_ids_of
from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan_grouped
from arrears.outreach.payment_effects import payment_effects_apply
from arrears.portfolio.models import Loan, PaymentNotice
from arrears.portfolio.notice_selectors import notices_unmatched
from arrears.portfolio.services.notices import notice_match
from arrears.workbench.selectors.loans import loans_visible_to

CAPABILITY = "payments_match"
PAGE_SIZE = 200
PROVIDERS = {"alipay": gettext_lazy("Alipay"), "generic": gettext_lazy("Payment gateway")}


class MatchForm(forms.Form):
    """Which notice goes to which loan; ``step`` is ``review`` first, then ``confirm``."""

    notice = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    loan_id = forms.CharField(label=gettext_lazy("Loan id"), max_length=100)
    step = forms.ChoiceField(
        choices=[("review", "review"), ("confirm", "confirm")], widget=forms.HiddenInput
    )


def _need(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not (user.is_superuser or role_can(user.role, CAPABILITY)):
        raise PermissionDenied(refusal(user.role, CAPABILITY))
    return user


def _notices(user: User) -> QuerySet[PaymentNotice]:
    if user.is_superuser or user.role == Role.ADMIN:
        return notices_unmatched()
    return notices_unmatched(creditor_ids=creditor_ids_of(user))


def _loan(user: User, notice: PaymentNotice, loan_id: str) -> Loan:
    """The loan ``loan_id`` names in ``user``'s scope (of the notice's creditor when known)."""
    loans = loans_visible_to(user).filter(loan_id=loan_id.strip()).select_related("creditor")
    if notice.creditor_id is not None:
        loans = loans.filter(creditor_id=notice.creditor_id)
    found = list(loans[:2])
    if not found:
        raise InvalidInput(_("no loan with this id that you may see"), field="loan_id")
    if len(found) > 1:
        raise InvalidInput(_("several creditors have a loan with this id"), field="loan_id")
    return found[0]


def _row(notice: PaymentNotice) -> dict[str, Any]:
    return {
        "notice": notice,
        "provider": PROVIDERS.get(notice.provider, notice.provider),
        "amount": format_yuan_grouped(notice.amount),
        "reason": notice.get_reason_display(),
    }


def _page(
    request: HttpRequest,
    user: User,
    *,
    form: MatchForm | None = None,
    review: dict[str, Any] | None = None,
) -> HttpResponse:
    notices = list(_notices(user)[:PAGE_SIZE])
    context = {
        "rows": [_row(notice) for notice in notices],
        "form": form,
        "review": review,
        "more": len(notices) == PAGE_SIZE,
        "page_size": PAGE_SIZE,
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "workbench/payments/unmatched.html", context, status=status)


def _act(request: HttpRequest, user: User, form: MatchForm) -> HttpResponse:
    notice = _notices(user).filter(pk=form.cleaned_data["notice"]).first()
    if notice is None:
        form.add_error(None, _("this payment is no longer waiting to be matched"))
        return _page(request, user, form=form)
    try:
        loan = _loan(user, notice, form.cleaned_data["loan_id"])
        if form.cleaned_data["step"] == "review":
            review = {**_row(notice), "loan": loan, "form": form}
            return _page(request, user, review=review)
        with transaction.atomic():
            notice, payment = notice_match(notice=notice, loan=loan, user=user)
            # As for a payment posted through the API: a loan brought current loses the
            # day's calls, visits and queued messages at once.
            payment_effects_apply(
                loan=loan, on=timezone.localdate(), payment_id=payment.payment_id, by=user
            )
    except InvalidInput as error:
        form.add_error("loan_id" if error.field == "loan_id" else None, str(error))
        return _page(request, user, form=form)
    messages.success(
        request,
        _("%(amount)s yuan is posted to loan %(loan)s.")
        % {"amount": format_yuan_grouped(payment.amount), "loan": loan.loan_id},
    )
    return redirect("workbench:payments-unmatched")


@login_required
@require_http_methods(["GET", "POST"])
def unmatched(request: HttpRequest) -> HttpResponse:
    """The unmatched payments; POST ``notice``, ``loan_id`` and ``step`` (``review``, then
    ``confirm``) matches one to a loan."""
    user = _need(request)
    if request.method != "POST":
        return _page(request, user)
    form = MatchForm(request.POST)
    if not form.is_valid():
        return _page(request, user, form=form)
    return _act(request, user, form)


urlpatterns: list[URLPattern] = [
    path("payments/unmatched/", unmatched, name="payments-unmatched"),
]
