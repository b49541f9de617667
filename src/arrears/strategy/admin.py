"""Admin screens for strategy: playbooks edited as YAML (each save that changes something
publishes a new version), experiments, and read-only views of what the plan step did."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from arrears.core.admin import AddOnlyAdmin, ReadOnlyAdmin
from arrears.core.errors import ArrearsError
from arrears.strategy.definition import DefinitionError, load_yaml
from arrears.strategy.models import (
    CaseStrategy,
    Experiment,
    OneOffAction,
    PlannedAction,
    Playbook,
    StrategyEvent,
)
from arrears.strategy.selectors import playbook_yaml
from arrears.strategy.services import case_action_add, playbook_import

EXAMPLE = """name: my-playbook
title: 我的策略
stages:
- name: remind
  title: 提醒
  from_dpd: 1
  to_dpd: null
  actions:
  - name: sms
    title: 短信提醒
    type: sms
    target: borrower
    on_day: 1
    every: 3
    template: reminder
"""


class PlaybookForm(forms.ModelForm[Playbook]):
    """The definition as YAML, checked with every mistake listed; a note says what changed."""

    definition = forms.CharField(
        label=_("definition (YAML)"),
        widget=forms.Textarea(attrs={"rows": 40, "cols": 100, "style": "font-family: monospace"}),
        help_text=_(
            "Segment, stages and actions; see docs/strategy.md. Saving a change"
            " publishes the next version."
        ),
    )
    note = forms.CharField(label=_("what changed"), required=False, max_length=300)

    class Meta:
        model = Playbook
        fields = ["active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["definition"].initial = playbook_yaml(self.instance.name)
        else:
            self.fields["definition"].initial = EXAMPLE

    def clean_definition(self) -> str:
        text: str = self.cleaned_data["definition"].replace("\r\n", "\n")
        try:
            definition = load_yaml(text)
        except DefinitionError as error:
            raise forms.ValidationError(error.errors) from error
        if self.instance.pk and definition.name != self.instance.name:
            raise forms.ValidationError(
                _("name: this playbook is %(name)s; to make another, add a new playbook"),
                params={"name": self.instance.name},
            )
        if not self.instance.pk and Playbook.objects.filter(name=definition.name).exists():
            raise forms.ValidationError(_("name: a playbook with this name exists"))
        return text


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin[Playbook]):
    form = PlaybookForm
    list_display = ["name", "title", "version", "priority", "active", "updated_at"]
    list_filter = ["active"]
    readonly_fields = ["name", "title", "priority", "version", "history"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        shown = ["definition", "note", "active"]
        return (["name", "title", "priority", "version", *shown, "history"]) if obj else shown

    @admin.display(description=_("versions"))
    def history(self, obj: Playbook) -> str:
        return format_html_join(
            "",
            "<div>v{} · {} · {} · {}</div>",
            (
                (v.number, f"{v.created_at:%Y-%m-%d %H:%M}", v.created_by or "-", v.note or "")
                for v in obj.versions.select_related("created_by").order_by("-number")
            ),
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # planned actions name their version; retire a playbook instead

    def save_model(self, request: HttpRequest, obj: Playbook, form: Any, change: bool) -> None:
        try:
            version = playbook_import(
                text=form.cleaned_data["definition"],
                note=form.cleaned_data.get("note") or "",
                created_by=request.user,
            )
        except ArrearsError as error:  # checked by the form already; kept for races
            raise forms.ValidationError(str(error)) from error
        playbook = version.playbook
        if playbook.active != form.cleaned_data["active"]:
            playbook.active = form.cleaned_data["active"]
            playbook.save(update_fields=["active", "updated_at"])
        obj.pk = playbook.pk
        obj.refresh_from_db()


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin[Experiment]):
    list_display = ["name", "champion", "challenger", "challenger_percent", "active"]
    list_filter = ["active"]


@admin.register(CaseStrategy)
class CaseStrategyAdmin(ReadOnlyAdmin):
    list_display = ["case", "playbook", "version", "stage", "stage_entered_on", "arm", "paused"]
    list_filter = ["playbook", "stage", "arm", "paused"]
    list_select_related = ["case", "playbook", "version", "version__playbook"]
    search_fields = ["case__loan__loan_id"]


@admin.register(PlannedAction)
class PlannedActionAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "case", "type", "target_role", "status", "rule"]
    list_filter = ["status", "type", "business_date"]
    search_fields = ["loan__loan_id"]
    list_select_related = ["case"]
    show_full_result_count = False  # counting millions of rows on every page is not worth it


@admin.register(StrategyEvent)
class StrategyEventAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "case", "kind", "detail", "reason", "by"]
    list_filter = ["kind"]
    show_full_result_count = False


@admin.register(OneOffAction)
class OneOffActionAdmin(AddOnlyAdmin):
    """A manager's one-off action for one case and date, with the reason on record."""

    list_display = ["business_date", "case", "type", "target_role", "title", "by"]
    raw_id_fields = ["case"]
    fields = [
        "case",
        "business_date",
        "type",
        "target_role",
        "title",
        "template",
        "queue",
        "reason",
    ]

    def create(self, request: HttpRequest, obj: OneOffAction) -> OneOffAction:
        return case_action_add(
            case=obj.case,
            on=obj.business_date,
            type=obj.type,
            target_role=obj.target_role,
            title=obj.title,
            template=obj.template,
            queue=obj.queue,
            reason=obj.reason,
            by=request.user.get_username(),
        )
