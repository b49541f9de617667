"""Admin screen of loans: the booked terms are read-only, and a keying error in them is
corrected through ``loan_correct`` on a small form that asks why (the schedule is rebuilt
and the audit chain records before and after), for roles with ``loan_correct``.

Loans are added by the tape import (which builds their schedules and links their parties),
never here; only descriptive fields (product, branch, guarantee type) are edited on the
change page, and each such edit is on the audit chain too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from arrears.core.admin import AuditedChangeAdmin, admin_may
from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan, format_yuan_grouped, parse_yuan
from arrears.portfolio.choices import RepaymentMethod
from arrears.portfolio.models import Installment, Loan, LoanParty
from arrears.portfolio.selectors import loan_state
from arrears.portfolio.services.corrections import loan_correct

CAPABILITY = "loan_correct"
# What a correction changes, and the booked facts nobody edits by hand: a new creditor or
# contract number would move the loan out of its tapes, a new payments version would hide
# payments from the cycle, a new status would take the loan out of the cycle.
BOOKED = [
    "creditor",
    "loan_id",
    "principal",
    "annual_rate",
    "penalty_rate",
    "term_months",
    "repayment_method",
    "disbursed_on",
    "first_due_on",
    "grace_days",
    "day_count",
    "allocation_order",
    "currency",
    "status",
    "payments_version",
]
HUNDRED = Decimal(100)


class LoanPartyInline(admin.TabularInline[LoanParty, Loan]):
    """Who is liable in which role comes from the tapes; shown, not edited here."""

    model = LoanParty
    extra = 0
    can_delete = False
    fields = readonly_fields = ("party", "role")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InstallmentInline(admin.TabularInline[Installment, Loan]):
    model = Installment
    extra = 0
    can_delete = False
    fields = readonly_fields = ("seq", "due_on", "principal", "interest", "fees")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LoanCorrectionForm(forms.Form):
    """The corrected terms as people write them (yuan, percent) and why."""

    principal = forms.CharField(label=_("principal (yuan)"), max_length=30)
    annual_rate = forms.DecimalField(
        label=_("annual rate, in percent"),
        max_digits=12,
        decimal_places=6,
        min_value=0,
        max_value=100,
    )
    penalty_rate = forms.DecimalField(
        label=_("penalty rate, in percent"),
        max_digits=12,
        decimal_places=6,
        min_value=0,
        max_value=100,
    )
    term_months = forms.IntegerField(label=_("term (months)"), min_value=1, max_value=600)
    repayment_method = forms.ChoiceField(
        label=_("repayment method"), choices=RepaymentMethod.choices
    )
    disbursed_on = forms.DateField(label=_("disbursed on"))
    first_due_on = forms.DateField(
        label=_("first due on"),
        required=False,
        help_text=_("Empty: one month after disbursement."),
    )
    reason = forms.CharField(
        label=_("reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Kept on the audit log with the values before and after."),
    )

    @classmethod
    def initial_for(cls, loan: Loan) -> dict[str, Any]:
        return {
            "principal": format_yuan(loan.principal),
            "annual_rate": format((loan.annual_rate * HUNDRED).normalize(), "f"),
            "penalty_rate": format((loan.penalty_rate * HUNDRED).normalize(), "f"),
            "term_months": loan.term_months,
            "repayment_method": loan.repayment_method,
            "disbursed_on": loan.disbursed_on,
            "first_due_on": loan.first_due_on,
        }

    def clean_principal(self) -> int:
        try:
            return parse_yuan(self.cleaned_data["principal"])
        except ValueError as error:
            raise forms.ValidationError(
                gettext("Write the amount in yuan, such as 12,345.67.")
            ) from error


@admin.register(Loan)
class LoanAdmin(AuditedChangeAdmin):
    change_form_template = "admin/portfolio/loan/change_form.html"
    list_display = [
        "loan_id",
        "creditor",
        "product",
        "principal_yuan",
        "annual_rate",
        "term_months",
        "repayment_method",
        "disbursed_on",
        "status",
    ]
    list_filter = ["creditor", "product", "repayment_method", "guarantee_type", "status"]
    list_select_related = ["creditor", "product"]
    search_fields = ["=loan_id", "parties__name"]
    date_hierarchy = "disbursed_on"
    readonly_fields = [*BOOKED, "state_today", "created_at", "updated_at"]
    inlines = [LoanPartyInline, InstallmentInline]
    actions = ["correct"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the tape import books loans, with their schedules and parties

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a booked loan is evidence; the ledger never forgets one

    def get_urls(self) -> list[URLPattern]:
        correct = path(
            "<path:object_id>/correct/",
            self.admin_site.admin_view(self.correct_view),
            name="portfolio_loan_correct",
        )
        return [correct, *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = {**(extra_context or {}), "may_correct": admin_may(request, CAPABILITY)}
        return super().change_view(request, object_id, form_url, context)

    @admin.display(description=_("principal"), ordering="principal")
    def principal_yuan(self, loan: Loan) -> str:
        return format_yuan_grouped(loan.principal)

    @admin.display(description=_("state today"))
    def state_today(self, loan: Loan) -> str:
        if loan.pk is None:
            return "-"
        state = loan_state(loan, as_of=timezone.localdate())
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    item.seq,
                    item.due_on,
                    format_yuan_grouped(item.due.total),
                    format_yuan_grouped(item.paid.total),
                    format_yuan_grouped(item.outstanding.total),
                )
                for item in state.installments
            ),
        )
        return format_html(
            "<p>DPD {} ({}) · overdue {} · penalty accrued {} · credit {}</p>"
            "<table><tr><th>#</th><th>due on</th><th>due</th><th>paid</th><th>outstanding</th>"
            "</tr>{}</table>",
            state.dpd,
            state.bucket,
            format_yuan_grouped(state.overdue.total),
            format_yuan_grouped(state.penalty_accrued),
            format_yuan_grouped(state.credit_balance),
            rows,
        )

    def has_correct_permission(self, request: HttpRequest) -> bool:
        return admin_may(request, CAPABILITY)

    @admin.action(description=_("Correct the terms of the selected loan"), permissions=["correct"])
    def correct(self, request: HttpRequest, queryset: QuerySet[Loan]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(
                request, gettext("Select one loan to correct."), level=messages.WARNING
            )
            return None
        loan = queryset.get()
        return HttpResponseRedirect(reverse("admin:portfolio_loan_correct", args=[loan.pk]))

    def correct_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The correction form: GET shows the booked terms, POST corrects through the
        service; a refused value shows on its field and nothing changes."""
        loan = self.get_object(request, object_id)
        if loan is None:
            raise Http404
        if not (self.has_view_permission(request, loan) and admin_may(request, CAPABILITY)):
            raise PermissionDenied
        if request.method == "POST":
            form = LoanCorrectionForm(request.POST)
            if form.is_valid() and self._correct(request, loan, form):
                self.message_user(
                    request,
                    gettext("Loan %(loan)s corrected; its schedule was rebuilt.")
                    % {"loan": loan.loan_id},
                    level=messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:portfolio_loan_change", args=[loan.pk]))
        else:
            form = LoanCorrectionForm(initial=LoanCorrectionForm.initial_for(loan))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Correct loan %(loan)s") % {"loan": loan.loan_id},
            "opts": self.opts,
            "original": loan,
            "form": form,
        }
        return TemplateResponse(request, "admin/portfolio/loan/correct.html", context)

    def _correct(self, request: HttpRequest, loan: Loan, form: LoanCorrectionForm) -> bool:
        data = form.cleaned_data
        try:
            loan_correct(
                loan=loan,
                by=request.user,  # type: ignore[arg-type]
                reason=data["reason"],
                principal=data["principal"],
                annual_rate=data["annual_rate"] / HUNDRED,
                penalty_rate=data["penalty_rate"] / HUNDRED,
                term_months=data["term_months"],
                repayment_method=data["repayment_method"],
                disbursed_on=data["disbursed_on"],
                first_due_on=data["first_due_on"],
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
            return False
        return True
