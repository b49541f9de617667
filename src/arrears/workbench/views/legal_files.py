"""The legal desk's files: drafting a court paper and making an evidence bundle from the
matter page, and downloading them.

Court papers and bundles carry the parties' names and ID numbers in full, so only roles with
``legal_view`` download them, only for loans of their creditors (404 otherwise), and every
download is on the audit chain (``legal.download``) with the file's SHA-256. Drafting and
bundling take a second or two (a PDF); they run in the request.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from arrears.accounts.models import User
from arrears.core.audit import audit_record
from arrears.core.errors import InvalidInput, NotFound
from arrears.legal.bundle import evidence_bundle_make
from arrears.legal.document_services import legal_document_generate
from arrears.legal.models import EvidenceBundle, LegalDocument, Matter
from arrears.portfolio.models import Loan
from arrears.workbench.legal_forms import DocumentForm
from arrears.workbench.selectors.legal_desk import bundle_for, document_for
from arrears.workbench.views.legal import form_error, matter_or_404, need, render_matter


def _covered_loans(matter: Matter) -> list[Loan]:
    # The loans a paper may be drafted for: those the matter covers (the lead among them).
    return list(matter.loans.order_by("loan_id")) or [matter.loan]


@login_required
@require_POST
def document_draft(request: HttpRequest, matter_id: int) -> HttpResponse:
    """Draft a court paper (complaint, payment order application…) for one of the matter's
    loans, as DOCX or PDF, with its figures as of a day; it joins the matter's documents."""
    user = need(request, "legal_manage")
    matter = matter_or_404(user, matter_id)
    loans = _covered_loans(matter)
    form = DocumentForm(request.POST, loans=loans)
    if form.is_valid():
        data = form.cleaned_data
        loan = next(x for x in loans if str(x.pk) == data["loan"])
        try:
            legal_document_generate(
                loan=loan,
                kind=data["kind"],
                fmt=data["fmt"],
                as_of=data["as_of"],
                user=user,
                matter=matter,
            )
        except InvalidInput as exc:
            form_error(form, exc, {"format": "fmt"})
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        else:
            messages.success(request, _("The document is drafted."))
            return redirect("workbench:legal-matter", matter_id=matter.pk)
    return render_matter(request, user, matter, status=400, document_form=form)


@login_required
@require_POST
def bundle_make(request: HttpRequest, matter_id: int) -> HttpResponse:
    """Make the evidence bundle of the matter's lead loan, filed under the matter."""
    user = need(request, "legal_manage")
    matter = matter_or_404(user, matter_id)
    try:
        # The service also leaves a copy in ``out_dir`` for the command line's user; the
        # page serves the kept copy, so that one goes with the temporary folder.
        with tempfile.TemporaryDirectory() as scratch:
            evidence_bundle_make(loan=matter.loan, out_dir=Path(scratch), user=user, matter=matter)
    except InvalidInput as exc:
        messages.error(request, str(exc))
        return render_matter(request, user, matter, status=400)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    messages.success(request, _("The evidence bundle is made."))
    return redirect("workbench:legal-matter", matter_id=matter.pk)


def _stored(relative: str) -> Path:
    """The kept file under the data directory; 404 if it is missing or lies outside it."""
    root = Path(settings.DATA_DIR).resolve()
    found = (root / relative).resolve()
    if not found.is_relative_to(root) or not found.is_file():
        raise Http404(_("The file is no longer kept."))
    return found


def _serve(user: User, row: LegalDocument | EvidenceBundle, subject: str) -> FileResponse:
    stored = _stored(row.path)
    with transaction.atomic():
        audit_record(
            actor=user,
            action="legal.download",
            subject_type=subject,
            subject_id=row.pk,
            data={"loan_id": row.loan.loan_id, "path": row.path, "sha256": row.sha256},
        )
    return FileResponse(stored.open("rb"), as_attachment=True, filename=stored.name)


@login_required
@require_GET
def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    """Download a drafted court paper (audited)."""
    user = need(request, "legal_view")
    try:
        document = document_for(user=user, document_id=document_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return _serve(user, document, "legal_document")


@login_required
@require_GET
def bundle_download(request: HttpRequest, bundle_id: int) -> FileResponse:
    """Download an evidence bundle (audited)."""
    user = need(request, "legal_view")
    try:
        bundle = bundle_for(user=user, bundle_id=bundle_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return _serve(user, bundle, "evidence_bundle")


urlpatterns: list[URLPattern] = [
    path("legal/matters/<int:matter_id>/documents/", document_draft, name="legal-document"),
    path("legal/matters/<int:matter_id>/bundles/", bundle_make, name="legal-bundle"),
    path(
        "legal/documents/<int:document_id>/download/",
        document_download,
        name="legal-document-download",
    ),
    path("legal/bundles/<int:bundle_id>/download/", bundle_download, name="legal-bundle-download"),
]
