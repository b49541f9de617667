"""Admin screen of parties: identities and contact points masked for every admin user, as
on the workbench, and revealed one at a time through an audited action.

A reveal needs the same capability as on the workbench (``reveal_id_number`` for an ID
number, ``reveal_phone`` for a phone, email or address) and is recorded on the audit chain
with the same action and subject (``reveal.id_number`` on the party, ``reveal.phone`` on the
contact point), marked ``"via": "admin"`` since no case is involved. Parties and their
contact points come from the tapes (``party_upsert``): nothing is added, edited or deleted
here, and the admin is not searched by ID number or phone (those columns are encrypted; an
exact search goes through their blind index).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from arrears.core.admin import ReadOnlyAdmin, admin_may, mask_contact
from arrears.core.audit import audit_record
from arrears.core.masking import mask_id_number
from arrears.portfolio.models import ContactPoint, Party


@admin.register(Party)
class PartyAdmin(ReadOnlyAdmin):
    change_form_template = "admin/portfolio/party/change_form.html"
    list_display = ["name", "kind", "id_type", "masked_id_number", "creditor"]
    list_filter = ["kind", "creditor"]
    list_select_related = ["creditor"]
    # Not by ID number or phone: a search puts its term in the address bar and the access
    # log, and those columns are stored encrypted.
    search_fields = ["name"]
    fields = readonly_fields = (
        "creditor",
        "kind",
        "name",
        "id_type",
        "masked_id_number",
        "employer",
        "contact_points_masked",
        "created_at",
        "updated_at",
    )

    @admin.display(description=_("ID number"))
    def masked_id_number(self, party: Party) -> str:
        return mask_id_number(party.id_number)

    # A table of its own rather than an inline: an inline row prints each contact point's
    # name, which is its value in clear.
    @admin.display(description=_("contact points"))
    def contact_points_masked(self, party: Party) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    point.get_kind_display(),
                    mask_contact(point.value, point.kind),
                    point.get_status_display(),
                    "✓" if point.is_primary else "",
                    point.source,
                )
                for point in party.contact_points.order_by("kind", "-is_primary", "id")
            ),
        )
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("kind"),
            _("value"),
            _("status"),
            _("primary"),
            _("source"),
            rows,
        )

    def get_urls(self) -> list[URLPattern]:
        reveal = path(
            "<path:object_id>/reveal/",
            self.admin_site.admin_view(self.reveal_view),
            name="portfolio_party_reveal",
        )
        return [reveal, *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        party = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if party is not None:
            context["reveal_id_number"] = bool(party.id_number) and admin_may(
                request, "reveal_id_number"
            )
            context["masked_id"] = mask_id_number(party.id_number)
            context["reveal_points"] = (
                [
                    (point.pk, point.get_kind_display(), mask_contact(point.value, point.kind))
                    for point in party.contact_points.order_by("kind", "-is_primary", "id")
                ]
                if admin_may(request, "reveal_phone")
                else []
            )
        return super().change_view(request, object_id, form_url, context)

    def reveal_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST ``what=id_number``, or ``what=contact_point`` with ``target=<id>``: the full
        value on a page of its own, never cached, and an audit entry."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        party = self.get_object(request, object_id)
        if party is None or not self.has_view_permission(request, party):
            raise Http404
        what, target = request.POST.get("what", ""), request.POST.get("target", "")
        if what == "id_number":
            capability = "reveal_id_number"
        # At most 18 digits: a longer id would overflow the database's integer, not find one.
        elif what == "contact_point" and target.isdigit() and len(target) <= 18:
            capability = "reveal_phone"
        else:
            return HttpResponse(
                gettext("Say what to reveal."), status=400, content_type="text/plain"
            )
        if not admin_may(request, capability):
            raise PermissionDenied
        label, value = self._reveal(request, party, what, target)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Revealed: %(what)s of %(name)s")
            % {"what": label, "name": party.name},
            "opts": self.opts,
            "original": party,
            "label": label,
            "value": value,
        }
        response = TemplateResponse(request, "admin/portfolio/party/revealed.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @transaction.atomic
    def _reveal(
        self, request: HttpRequest, party: Party, what: str, target: str
    ) -> tuple[str, str]:
        actor = request.user  # a signed-in staff user: admin_view saw to it
        if what == "id_number":
            audit_record(
                actor=actor,  # type: ignore[arg-type]
                action="reveal.id_number",
                subject_type="party",
                subject_id=party.pk,
                data={"via": "admin"},
            )
            return gettext("ID number"), party.id_number
        point = ContactPoint.objects.filter(pk=int(target), party=party).first()
        if point is None:
            raise Http404
        audit_record(
            actor=actor,  # type: ignore[arg-type]
            action="reveal.phone",
            subject_type="contact_point",
            subject_id=point.pk,
            data={"via": "admin", "party": party.pk, "kind": point.kind},
        )
        return str(point.get_kind_display()), point.value
