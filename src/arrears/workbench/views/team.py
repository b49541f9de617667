"""Workbench pages: the team view for leads and managers (cases by bucket, promises, the
day's work per member, load against capacity) and reassigning a case.

Thin adapters: the role's capability is checked (403 without it), reads go through
``arrears.workbench.selectors.team`` (a case outside the scope is 404) and the write through
``arrears.cases.assignment_services.case_reassign``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from arrears.accounts.models import Team, User
from arrears.accounts.roles import refusal, role_can
from arrears.cases.assignment_services import case_reassign
from arrears.cases.models import CollectionCase
from arrears.cases.scoping import cases_visible_to
from arrears.core.errors import InvalidInput, NotFound
from arrears.workbench.selectors.team import (
    case_for_reassignment,
    team_members,
    team_overview,
    teams_for,
)


def _need(request: HttpRequest, capability: str) -> User:
    user = request.user
    assert isinstance(user, User)
    if not role_can(user.role, capability):
        raise PermissionDenied(refusal(user.role, capability))
    return user


class ReassignForm(forms.Form):
    """Move a case (named by case number or loan id) to a team member or back to the pool."""

    case = forms.CharField(
        label=gettext_lazy("Case number or loan id"), max_length=100, required=False
    )
    assignee = forms.TypedChoiceField(
        label=gettext_lazy("To"), required=False, coerce=int, empty_value=None
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"size": 40}),
    )

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        field = self.fields["assignee"]
        assert isinstance(field, forms.TypedChoiceField)
        for name, each in self.fields.items():
            each.widget.attrs["class"] = "form-select" if name == "assignee" else "form-control"
        field.choices = [("", _("Team pool (unassigned)"))] + [
            (person.pk, f"{person.get_full_name() or person.username} ({person.username})")
            for person in people
        ]

    def person(self) -> User | None:
        chosen = self.cleaned_data.get("assignee")
        return self.people.get(chosen) if chosen is not None else None


def _pick_team(teams: list[Team], wanted: str | None) -> Team | None:
    if not teams:
        return None
    if not wanted:
        return teams[0]
    for team in teams:
        if str(team.pk) == wanted:
            return team
    raise Http404(_("no such team"))


def _reassign(request: HttpRequest, user: User, form: ReassignForm, case: CollectionCase) -> bool:
    """Run the service for a valid form; field errors go back onto the form."""
    try:
        case_reassign(
            case=case,
            assignee=form.person(),
            by=user,
            reason=form.cleaned_data.get("reason") or "",
            on=timezone.localdate(),
        )
    except InvalidInput as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, str(exc))
        return False
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    person = form.person()
    messages.success(
        request,
        _("Case %(case)s given to %(who)s.")
        % {"case": case.pk, "who": person.username if person else _("the team pool")},
    )
    return True


def _page(
    request: HttpRequest, teams: list[Team], team: Team | None, form: ReassignForm
) -> HttpResponse:
    context: dict[str, Any] = {
        "teams": teams,
        "team": team,
        "form": form,
        "overview": (
            team_overview(team=team, on=timezone.localdate(), people=list(form.people.values()))
            if team
            else None
        ),
    }
    return render(request, "workbench/team/team.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def team_page(request: HttpRequest) -> HttpResponse:
    """The team view; its form reassigns a case named by case number or loan id."""
    user = _need(request, "team_view")
    teams = teams_for(user)
    team = _pick_team(teams, request.POST.get("team") or request.GET.get("team"))
    people = team_members(teams)
    if request.method != "POST":
        return _page(request, teams, team, ReassignForm(people=people))
    _need(request, "case_reassign")
    form = ReassignForm(request.POST, people=people)
    if form.is_valid():
        try:
            case = case_for_reassignment(user=user, ref=form.cleaned_data["case"])
        except InvalidInput as exc:
            form.add_error("case", str(exc))
        else:
            if _reassign(request, user, form, case):
                url = reverse("workbench:team")
                return redirect(f"{url}?team={team.pk}" if team else url)
    return _page(request, teams, team, form)


@login_required
@require_POST
def case_reassign_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """Reassign one case (from its page or the team view): fields ``assignee`` (a user id,
    empty for the team pool) and ``reason``; back to ``next`` or the team view."""
    user = _need(request, "case_reassign")
    case = cases_visible_to(user).filter(pk=case_id).first()
    if case is None:
        raise Http404(_("no such case"))
    teams = teams_for(user)
    people = team_members(teams)
    # A manager may give a case to someone of another of their teams; the service decides.
    data = request.POST.copy()
    data["case"] = str(case.pk)
    form = ReassignForm(data, people=people)
    if form.is_valid() and _reassign(request, user, form, case):
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)
        url = reverse("workbench:team")
        return redirect(f"{url}?team={case.team_id}" if case.team_id else url)
    team = next((t for t in teams if t.pk == case.team_id), teams[0] if teams else None)
    return _page(request, teams, team, form)


urlpatterns: list[URLPattern] = [
    path("team/", team_page, name="team"),
    path("cases/<int:case_id>/reassign/", case_reassign_view, name="case-reassign"),
]
