"""Admin screen of message templates: every save publishes through ``template_publish`` (a
changed text becomes the next version, the linter's findings show on the form), and each
version shows a preview, against a real case with ``?case=<id>`` or sample values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template import TemplateSyntaxError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from arrears.outreach.models import MessageTemplate
from arrears.outreach.rendering import TEMPLATE_VARIABLES, render, sample_variables
from arrears.outreach.template_selectors import case_variables
from arrears.outreach.template_services import (
    template_check,
    template_publish,
    template_set_active,
)

KEY_FIELDS = ["code", "channel", "language"]


class MessageTemplateForm(forms.ModelForm[MessageTemplate]):
    """Checks the text with the publishing rules, so every problem shows on the form."""

    class Meta:
        model = MessageTemplate
        fields = [
            "code",
            "channel",
            "language",
            "purpose",
            "subject",
            "body",
            "provider_template_code",
            "note",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 16, "cols": 100})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "body" in self.fields:
            self.fields["body"].help_text = format_html(
                "{}<ul>{}</ul>",
                _("Variables (write them as {{ name }}):"),
                format_html_join(
                    "",
                    "<li><code>{{{{ {} }}}}</code> {}</li>",
                    TEMPLATE_VARIABLES.items(),
                ),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}

        def value(name: str) -> str:
            # Key fields are read-only on a change: the instance holds them.
            return str(data.get(name, getattr(self.instance, name, "")) or "")

        if all(value(name) for name in (*KEY_FIELDS, "purpose", "body")):
            for problem in template_check(
                code=value("code"),
                channel=value("channel"),
                language=value("language"),
                purpose=value("purpose"),
                body=value("body"),
                subject=value("subject"),
            ):
                self.add_error("body" if "body" in self.fields else None, problem)
        return data


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin[MessageTemplate]):
    """Templates are versioned: saving a changed text publishes the next version and the
    old one stays (outbox messages name the version they used), so nothing is deleted."""

    form = MessageTemplateForm
    list_display = ["code", "channel", "language", "version", "active", "updated_at"]
    list_filter = ["channel", "language", "purpose", "active"]
    search_fields = ["code", "body"]
    readonly_fields = ["version", "active", "created_by", "created_at", "preview"]
    actions = ["activate", "deactivate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        # A new version of the same template keeps its code, channel and language.
        return KEY_FIELDS + fields if obj is not None else fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> MessageTemplate | None:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # The preview needs the request's ?case=; kept on this request's own object.
            obj._preview_case = request.GET.get("case", "")  # type: ignore[attr-defined]
        return obj

    def save_model(
        self, request: HttpRequest, obj: MessageTemplate, form: Any, change: bool
    ) -> None:
        published = template_publish(
            code=obj.code,
            channel=obj.channel,
            language=obj.language,
            purpose=obj.purpose,
            body=obj.body,
            subject=obj.subject,
            provider_template_code=obj.provider_template_code,
            note=obj.note,
            created_by=request.user,
        )
        # The edited row is never saved: the admin goes on with the published version.
        obj.pk, obj.version, obj.active = published.pk, published.version, published.active

    @admin.display(description=_("preview"))
    def preview(self, obj: MessageTemplate) -> SafeString | str:
        if obj.pk is None:
            return "-"
        source = str(_("sample values"))
        variables = sample_variables(obj.language)
        case_id = str(getattr(obj, "_preview_case", "")).strip()
        if case_id.isdigit():
            real = case_variables(case_id=int(case_id), language=obj.language)
            if real is None:
                source = str(_("sample values (no case %(id)s with a borrower)")) % {"id": case_id}
            else:
                variables, source = real, str(_("case %(id)s")) % {"id": case_id}
        try:
            subject, body = render(obj, variables)
        except TemplateSyntaxError as error:
            return format_html("<p>{}</p>", error)
        if obj.channel == "letter":
            # The letter is HTML written by staff: shown sandboxed, no script runs here.
            shown = format_html(
                '<iframe sandbox srcdoc="{}" style="width: 100%; height: 32em;'
                ' border: 1px solid #ccc; background: #fff"></iframe>',
                body,
            )
        else:
            shown = format_html('<pre style="white-space: pre-wrap">{}</pre>', body)
        return format_html(
            "<p><em>{}</em></p>{}{}",
            source,
            format_html("<p><strong>{}</strong></p>", subject) if subject else "",
            shown,
        )

    @admin.action(description=_("Use the selected versions (activate)"))
    def activate(self, request: HttpRequest, queryset: QuerySet[MessageTemplate]) -> None:
        for template in queryset.order_by("pk"):
            template_set_active(template=template, active=True)

    @admin.action(description=_("Stop using the selected versions (deactivate)"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[MessageTemplate]) -> None:
        for template in queryset.order_by("pk"):
            template_set_active(template=template, active=False)
