"""The blacklist pages (黑名单): proposing a party from its case, the list with decisions and
delisting, and the CSV export (ID numbers masked unless the exporter may reveal them and
asks; that export is audited). Thin adapters over ``cases.blacklist_services``."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.cases.blacklist_services import (
    EXPORT_COLUMNS,
    blacklist_decide,
    blacklist_delist,
    blacklist_export,
    blacklist_propose,
)
from arrears.cases.scoping import cases_visible_to
from arrears.core.errors import Forbidden, InvalidInput, NotFound
from arrears.portfolio.models import BlacklistEntry, LoanParty
from arrears.workbench.closing_forms import BlacklistForm
from arrears.workbench.selectors.case_page import case_get_for

_ANY = ("blacklist_propose", "blacklist_decide", "blacklist_export")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _need(user: User, capability: str) -> None:
    if not role_can(user.role, capability):
        raise PermissionDenied(refusal(user.role, capability))


def entries_visible_to(user: User) -> QuerySet[BlacklistEntry]:
    """The entries of parties of loans whose cases ``user`` may see."""
    parties = LoanParty.objects.filter(loan__cases__in=cases_visible_to(user)).values("party_id")
    return BlacklistEntry.objects.filter(party_id__in=parties)


@login_required
def blacklist_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """GET: propose one of the case's parties for the blacklist; POST: propose it."""
    user = _user(request)
    _need(user, "blacklist_propose")
    try:
        case = case_get_for(user=user, case_id=case_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    parties = [
        (lp.party_id, f"{lp.party.name} · {lp.get_role_display()}")
        for lp in LoanParty.objects.filter(loan_id=case.loan_id).select_related("party")
    ]
    status = 200
    if request.method == "POST":
        form = BlacklistForm(request.POST, parties=parties)
        if form.is_valid():
            party = LoanParty.objects.get(
                loan_id=case.loan_id, party_id=form.cleaned_data["party"]
            ).party
            try:
                blacklist_propose(party=party, by=user, reason=form.cleaned_data["reason"])
            except InvalidInput as exc:
                form.add_error(exc.field if exc.field in ("party", "reason") else None, str(exc))
            else:
                messages.success(request, _("Proposed for the blacklist: it waits for approval."))
                return redirect("workbench:case", case_id=case.pk)
        status = 400
    else:
        form = BlacklistForm(parties=parties)
    return render(
        request,
        "workbench/closing/blacklist_new.html",
        {"case": case, "form": form},
        status=status,
    )


@login_required
def blacklist_page(request: HttpRequest) -> HttpResponse:
    """The proposed and listed parties in the person's scope, and the delisted history."""
    user = _user(request)
    if not any(role_can(user.role, capability) for capability in _ANY):
        raise PermissionDenied(refusal(user.role, "blacklist_propose"))
    entries = entries_visible_to(user).select_related(
        "party", "party__creditor", "proposed_by", "decided_by", "delisted_by"
    )
    return render(
        request,
        "workbench/closing/blacklist.html",
        {"entries": entries.order_by("status", "-proposed_at")[:500]},
    )


def _entry(user: User, entry_id: int) -> BlacklistEntry:
    entry = entries_visible_to(user).filter(pk=entry_id).first()
    if entry is None:
        raise Http404(_("blacklist entry not found"))
    return entry


@require_POST
@login_required
def blacklist_decide_view(request: HttpRequest, entry_id: int) -> HttpResponse:
    """List the proposed party or reject the proposal."""
    user = _user(request)
    _need(user, "blacklist_decide")
    entry = _entry(user, entry_id)
    approve = request.POST.get("decision") == "approve"
    try:
        blacklist_decide(entry=entry, by=user, approve=approve, note=request.POST.get("note", ""))
    except (Forbidden, InvalidInput) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Listed.") if approve else _("Proposal rejected."))
    return redirect("workbench:closing-blacklist")


@require_POST
@login_required
def blacklist_delist_view(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Take a listed party off the blacklist, with the reason."""
    user = _user(request)
    _need(user, "blacklist_decide")
    entry = _entry(user, entry_id)
    try:
        blacklist_delist(entry=entry, by=user, reason=request.POST.get("reason", ""))
    except InvalidInput as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Taken off the blacklist."))
    return redirect("workbench:closing-blacklist")


@login_required
def blacklist_export_view(request: HttpRequest) -> HttpResponse:
    """The listed parties as CSV; ``?reveal=1`` for full ID numbers (audited)."""
    user = _user(request)
    _need(user, "blacklist_export")
    reveal = request.GET.get("reveal") == "1"
    if reveal:
        _need(user, "reveal_id_number")
    everyone = user.role == Role.ADMIN or user.is_superuser
    creditor_ids = None if everyone else list(user.creditors.values_list("pk", flat=True))
    rows = blacklist_export(by=user, reveal=reveal, creditor_ids=creditor_ids)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="blacklist.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese names correctly
    writer = csv.DictWriter(response, fieldnames=list(EXPORT_COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    return response


urlpatterns: list[URLPattern] = [
    path("cases/<int:case_id>/blacklist/", blacklist_new, name="closing-blacklist-propose"),
    path("blacklist/", blacklist_page, name="closing-blacklist"),
    path(
        "blacklist/<int:entry_id>/decide/",
        blacklist_decide_view,
        name="closing-blacklist-decide",
    ),
    path(
        "blacklist/<int:entry_id>/delist/",
        blacklist_delist_view,
        name="closing-blacklist-delist",
    ),
    path("blacklist/export.csv", blacklist_export_view, name="closing-blacklist-export"),
]
