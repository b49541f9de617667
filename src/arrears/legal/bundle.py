"""The evidence bundle of a loan (证据材料): one zip a lawyer hands to a court.

``evidence_bundle_make`` reads everything that proves the debt (``bundle_contents``,
``bundle_records``), renders the index (``00_证据目录.pdf``), writes ``manifest.csv`` (every
other file's size and SHA-256) and ``manifest.sha256`` (the manifest's own hash), zips them
with fixed timestamps in a fixed order (the same evidence gives the same bytes), keeps a copy
under ``DATA_DIR/legal/bundles/`` (never overwritten) and puts one under ``--out``. The
``EvidenceBundle`` row and the audit entry holding the manifest's hash are written in one
transaction, after the files: a file without its row is harmless, a row without its file
would not be.

``bundle_verify`` checks a bundle from the zip alone; ``bundle_recorded`` adds the audit
log's word, which is what exposes a forger who rewrote a file and both manifest files.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from arrears.accounts.choices import Role
from arrears.accounts.roles import refusal, role_can
from arrears.cases.models import CollectionCase
from arrears.core.audit import audit_record
from arrears.core.errors import InvalidInput, NotFound
from arrears.core.files import write_atomically, write_once
from arrears.core.models import AuditEntry
from arrears.legal.bundle_contents import (
    BundleFile,
    Section,
    limitation_section,
    payments_section,
    statement_section,
    terms_section,
)
from arrears.legal.bundle_records import (
    LoanPeople,
    audit_section,
    contacts_section,
    messages_sections,
    papers_section,
    promises_section,
)
from arrears.legal.bundle_verify import (
    MANIFEST,
    MANIFEST_HASH,
    ManifestEntry,
    VerifyResult,
    manifest_bytes,
    manifest_hash_bytes,
)
from arrears.legal.models import EvidenceBundle, Matter
from arrears.outreach.letters import render_letter
from arrears.portfolio.models import ContactPoint, Loan, LoanParty, LoanPosition
from arrears.portfolio.selectors import loan_state

INDEX = "00_证据目录.pdf"
BUNDLES = Path("legal") / "bundles"
# Capabilities a person needs: the bundle carries ID numbers in full (a court exhibit).
CAPABILITIES = ("legal_manage", "reveal_id_number")
_UNSAFE = re.compile(r"[^\w.-]+")


@dataclass(frozen=True)
class Evidence:
    """What a bundle holds before it is zipped: its sections and what the index shows."""

    loan: Loan
    as_of: date
    sections: list[Section]
    claim: dict[str, Any]
    borrowers: list[str]
    matter: Matter | None


def _require(user: Any, loan: Loan) -> None:
    """Refuse roles that may not reveal ID numbers or draft court papers, and a loan outside
    the person's creditors (as not found: its existence does not leak). ``None`` is the
    server's operator at the command line."""
    if user is None:
        return
    for capability in CAPABILITIES:
        if not role_can(user.role, capability):
            raise PermissionDenied(refusal(user.role, capability))
    if not user.is_active:
        raise PermissionDenied(refusal(user.role, CAPABILITIES[0]))
    if user.is_superuser or user.role == Role.ADMIN:
        return
    if not user.creditors.filter(pk=loan.creditor_id).exists():
        raise NotFound(f"no loan {loan.loan_id}")


def _default_as_of(loan: Loan) -> date:
    """The business date of the loan's last cycle, else today (a loan never cycled)."""
    position = LoanPosition.objects.filter(loan=loan).values_list("as_of", flat=True).first()
    return position or timezone.localdate()


def _people(loan: Loan) -> LoanPeople:
    names: dict[int, str] = {}
    roles: dict[int, str] = {}
    for party_id, name, role in LoanParty.objects.filter(loan=loan).values_list(
        "party_id", "party__name", "role"
    ):
        names[party_id] = name
        roles.setdefault(party_id, role)
    points = ContactPoint.objects.filter(party_id__in=list(names)).values_list("pk", flat=True)
    return LoanPeople(names=names, roles=roles, contact_point_ids=sorted(points))


def evidence_gather(*, loan: Loan, as_of: date, matter: Matter | None = None) -> Evidence:
    """Read everything the bundle of ``loan`` holds as of ``as_of``: about thirty queries,
    however many payments, contacts, messages or audit entries there are."""
    state = loan_state(loan, as_of=as_of)
    people = _people(loan)
    party_ids = sorted(people.names)
    case_ids = list(
        CollectionCase.objects.filter(loan=loan).order_by("id").values_list("pk", flat=True)
    )
    matters = list(
        Matter.objects.filter(Q(loan=loan) | Q(matter_loans__loan=loan))
        .distinct()
        .prefetch_related("events", "costs")
        .order_by("opened_on", "id")
    )
    terms, report = terms_section(loan, state)
    statement, claim = statement_section(loan, state)
    messages, sent = messages_sections(case_ids, loan, people)
    papers, document_ids = papers_section(loan, sent, people)
    promises, plan_ids, settlement_ids = promises_section(case_ids, people)
    limitation, hold_ids = limitation_section(loan, party_ids=party_ids, matters=matters)
    loan_ids: list[object] = [loan.pk]
    # Legal services name a loan by its primary key; an entry naming it by the creditor's
    # loan id is this loan's only when no other creditor uses the same id.
    if Loan.objects.filter(loan_id=loan.loan_id).count() == 1:
        loan_ids.append(loan.loan_id)
    subjects: dict[str, list[object]] = {
        "loan": loan_ids,
        "case": list(case_ids),
        "party": list(party_ids),
        "contact_point": list(people.contact_point_ids),
        "repayment_plan": list(plan_ids),
        "settlement": list(settlement_ids),
        "legal_matter": [m.pk for m in matters],
        "legal_document": list(document_ids),
    }
    models = {
        "loan": "portfolio.loan",
        "case": "cases.collectioncase",
        "party": "portfolio.party",
        "contact_point": "portfolio.contactpoint",
        "repayment_plan": "cases.repaymentplan",
        "settlement": "cases.settlement",
        "legal_matter": "legal.matter",
        "legal_document": "legal.legaldocument",
    }
    for short, label in models.items():
        subjects[label] = [x for x in subjects[short] if isinstance(x, int)]
    subjects["compliance.hold"] = list(hold_ids)
    sections = [
        terms,
        statement,
        payments_section(loan, state, report),
        contacts_section(case_ids, loan),
        messages,
        papers,
        promises,
        audit_section(subjects),
        limitation,
    ]
    borrowers = [p["name"] for p in report["parties"] if p["role"] == "borrower"]
    return Evidence(loan, as_of, sorted(sections, key=lambda s: s.number), claim, borrowers, matter)


def _index_pdf(evidence: Evidence) -> bytes:
    """The 证据目录: each numbered section, its source, what it proves, its files with the
    start of each SHA-256, and the claim's summary."""
    sections = [
        {
            "number": section.number,
            "title": section.title,
            "folder": section.folder,
            "source": section.source,
            "proves": section.proves,
            "files": [
                {
                    "name": item.name.removeprefix(section.folder + "/"),
                    "records": item.records,
                    "size": len(item.data),
                    "sha256": hashlib.sha256(item.data).hexdigest()[:16],
                }
                for item in section.files
            ],
        }
        for section in evidence.sections
    ]
    html = render_to_string(
        "legal/bundle/index.html",
        {
            "loan": evidence.loan,
            "creditor": evidence.loan.creditor.name,
            "borrowers": "、".join(evidence.borrowers),
            "as_of": evidence.as_of,
            "claim": evidence.claim,
            "matter": evidence.matter,
            "sections": sections,
            "index_name": INDEX,
            "manifest": MANIFEST,
            "manifest_hash": MANIFEST_HASH,
        },
    )
    return render_letter(html).pdf


def bundle_zip(files: list[BundleFile], *, as_of: date) -> tuple[bytes, str, int]:
    """The zip of ``files`` with its manifest: the bytes, the manifest's SHA-256 and the
    number of members. Members sorted by name, every one stamped midnight of ``as_of``."""
    ordered = sorted(files, key=lambda item: item.name)
    entries = [
        ManifestEntry(item.name, len(item.data), hashlib.sha256(item.data).hexdigest())
        for item in ordered
    ]
    manifest = manifest_bytes(entries)
    members = [
        *ordered,
        BundleFile(MANIFEST, manifest),
        BundleFile(MANIFEST_HASH, manifest_hash_bytes(manifest)),
    ]
    buffer = io.BytesIO()
    stamp = (as_of.year, as_of.month, as_of.day, 0, 0, 0)
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in members:
            info = zipfile.ZipInfo(item.name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever the machine: the same bytes everywhere
            info.external_attr = 0o644 << 16
            archive.writestr(info, item.data, compresslevel=6)
    return buffer.getvalue(), hashlib.sha256(manifest).hexdigest(), len(members)


def _out_dir(out_dir: Path) -> Path:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"--out: cannot use {out_dir} as a folder: {exc}", field="out") from exc
    return out_dir


def evidence_bundle_make(
    *,
    loan: Loan,
    out_dir: Path,
    user: Any = None,
    matter: Matter | None = None,
    as_of: date | None = None,
) -> EvidenceBundle:
    """Make the evidence bundle of ``loan`` as of ``as_of`` (default: its last cycle's
    date), put it in ``out_dir`` and keep a copy under ``DATA_DIR/legal/bundles/``.

    For a legal officer or manager of the loan's creditor, or the command line (``user``
    None). ``matter``, when given, must cover the loan; the bundle is then filed under it.
    Audited as ``legal.bundle`` on the loan with the zip's and the manifest's SHA-256.
    """
    _require(user, loan)
    if matter is not None and not (
        matter.loan_id == loan.pk or matter.matter_loans.filter(loan=loan).exists()
    ):
        raise InvalidInput(f"matter #{matter.pk} does not cover loan {loan.loan_id}")
    out_dir = _out_dir(out_dir)
    as_of = as_of or _default_as_of(loan)
    # Court papers are Chinese (DESIGN.md rule 11): choice labels in the CSVs too.
    with translation.override("zh-hans"):
        evidence = evidence_gather(loan=loan, as_of=as_of, matter=matter)
        files = [item for section in evidence.sections for item in section.files]
        files.append(BundleFile(INDEX, _index_pdf(evidence)))
    data, manifest_sha256, count = bundle_zip(files, as_of=as_of)
    sha256 = hashlib.sha256(data).hexdigest()
    slug = _UNSAFE.sub("_", loan.loan_id).strip("._") or "loan"
    name = f"{slug}_{as_of.isoformat()}_{sha256[:12]}.zip"
    relative = BUNDLES / str(loan.creditor_id) / slug / name
    # The name carries the zip's hash: a file of that name already kept holds these bytes.
    write_once(Path(settings.DATA_DIR) / relative, data)
    write_atomically(out_dir / name, data)
    with transaction.atomic():
        bundle = EvidenceBundle.objects.create(
            loan=loan,
            matter=matter,
            path=relative.as_posix(),
            files=count,
            size=len(data),
            sha256=sha256,
            manifest_sha256=manifest_sha256,
            made_by=user,
        )
        audit_record(
            actor=user,
            action="legal.bundle",
            subject_type="loan",
            subject_id=loan.pk,
            data={
                "loan_id": loan.loan_id,
                "as_of": as_of.isoformat(),
                "bundle": bundle.pk,
                "matter": matter.pk if matter else None,
                "path": bundle.path,
                "files": count,
                "sha256": sha256,
                "manifest_sha256": manifest_sha256,
            },
        )
    return bundle


def bundle_recorded(result: VerifyResult) -> VerifyResult:
    """``result`` with the audit log's word: does it record either manifest hash found in
    the bundle (``legal.bundle`` entries, which the hash chain protects)?"""
    hashes = {h for h in (result.manifest_sha256, result.manifest_claimed) if h}
    where = Q(pk__in=[])
    for digest in sorted(hashes):
        where |= Q(data__manifest_sha256=digest)
    found = (
        AuditEntry.objects.filter(where, action="legal.bundle")
        .order_by("number")
        .values_list("data", flat=True)
        .first()
    )
    return result.with_record(found["manifest_sha256"] if found else None)
