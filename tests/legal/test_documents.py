"""Court papers: every kind opens as Word (python-docx) and as PDF (pypdf) and names the
parties, their full ID numbers and the claim total; only roles that may reveal ID numbers
and work the legal desk draft them; each draft is a new file, on its row and the audit chain.
"""

from __future__ import annotations

import hashlib
import io
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.loader import render_to_string
from docx import Document
from docx.table import Table
from docxtpl import DocxTemplate
from pypdf import PdfReader

from arrears.accounts.models import User
from arrears.core.errors import NotFound
from arrears.core.models import AuditEntry
from arrears.core.money import format_yuan_grouped
from arrears.legal.choices import DocumentKind
from arrears.legal.claims import loan_claim
from arrears.legal.document_services import legal_document_file, legal_document_generate
from arrears.legal.documents.context import document_context
from arrears.legal.documents.make_templates import TEMPLATES, write_templates
from arrears.legal.documents.rendering import docx_template_path
from arrears.legal.models import LegalDocument, Matter
from arrears.portfolio.models import Creditor, Loan, Party
from arrears.portfolio.services.tape_ingest import tape_ingest
from tests.factories import loan_row, payment_row, valid_id, write_csv

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 7, 15)
ALL_KINDS = DocumentKind.values
# The payment order goes to the borrowers only (民诉法解释: it does not bind a guarantor),
# so it names the guarantor without the guarantor's ID number.
GUARANTOR_ID_KINDS = [kind for kind in ALL_KINDS if kind != "payment_order_application"]


@pytest.fixture
def loan(creditor: Creditor, tmp_path: Path) -> Loan:
    """A 12-month loan of 张三, guaranteed by 李四, that paid two installments and stopped."""
    row = loan_row(
        "HT-2026-001",
        borrower_name="张三",
        borrower_address="上海市浦东新区世纪大道100号",
        guarantor_name="李四",
        guarantor_id_number=valid_id(),
        guarantor_phone="13912345678",
    )
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [row]))
    paid = [
        payment_row("P1", "HT-2026-001", "2026-02-28", "10,661.85"),
        payment_row("P2", "HT-2026-001", "2026-03-31", "10,661.85"),
    ]
    tape_ingest(creditor=creditor, kind="payments", path=write_csv(tmp_path / "p.csv", paid))
    return Loan.objects.get(loan_id="HT-2026-001")


def parties() -> tuple[Party, Party]:
    return Party.objects.get(name="张三"), Party.objects.get(name="李四")


def total(loan: Loan) -> str:
    return format_yuan_grouped(loan_claim(loan, as_of=AS_OF).total)


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell (nested tables too) of a Word document."""
    document = Document(io.BytesIO(data))
    texts = [paragraph.text for paragraph in document.paragraphs]

    def walk(table: Table) -> None:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(paragraph.text for paragraph in cell.paragraphs)
                for inner in cell.tables:
                    walk(inner)

    for table in document.tables:
        walk(table)
    return "\n".join(texts)


def pdf_text(data: bytes) -> str:
    """The PDF's text without white space (a line may break anywhere in Chinese)."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(text.split())


def generate(loan: Loan, kind: str, fmt: str, **kwargs: object) -> tuple[LegalDocument, bytes]:
    document = legal_document_generate(loan=loan, kind=kind, fmt=fmt, as_of=AS_OF, **kwargs)  # type: ignore[arg-type]
    return document, legal_document_file(document).read_bytes()


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_each_word_paper_names_the_parties_their_id_numbers_and_the_claim_total(
    loan: Loan, kind: str
) -> None:
    borrower, guarantor = parties()

    _document, data = generate(loan, kind, "docx")

    text = docx_text(data)
    assert borrower.name in text and borrower.id_number in text
    assert guarantor.name in text
    if kind in GUARANTOR_ID_KINDS:
        assert guarantor.id_number in text
    assert total(loan) in text
    assert "{{" not in text and "{%" not in text


@pytest.mark.parametrize("kind", ["complaint", "payment_order_application", "lawyer_letter"])
def test_a_pdf_paper_names_the_parties_their_id_numbers_and_the_claim_total(
    loan: Loan, kind: str
) -> None:
    borrower, guarantor = parties()

    _document, data = generate(loan, kind, "pdf")

    text = pdf_text(data)
    assert data.startswith(b"%PDF")
    assert borrower.name in text and borrower.id_number in text and guarantor.name in text
    if kind in GUARANTOR_ID_KINDS:
        assert guarantor.id_number in text
    assert total(loan) in text


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_each_pdf_page_source_names_the_parties_their_id_numbers_and_the_claim_total(
    loan: Loan, kind: str
) -> None:
    borrower, guarantor = parties()
    claim = loan_claim(loan, as_of=AS_OF)
    context = document_context(loan=loan, kind=kind, as_of=AS_OF, claim=claim, today=AS_OF)

    html = render_to_string(f"legal/pdf/{kind}.html", context)

    assert borrower.name in html and borrower.id_number in html and guarantor.name in html
    if kind in GUARANTOR_ID_KINDS:
        assert guarantor.id_number in html
    assert total(loan) in html and "__________" in html


def test_an_out_folder_that_does_not_exist_is_refused_before_drafting(
    loan: Loan, tmp_path: Path
) -> None:
    with pytest.raises(CommandError) as refused:
        call_command(
            "legal",
            "document",
            "HT-2026-001",
            "--kind",
            "complaint",
            "--format",
            "pdf",
            "--out",
            str(tmp_path / "missing" / "x.pdf"),
        )

    assert refused.value.returncode == 2 and "does not exist" in str(refused.value)
    assert not LegalDocument.objects.exists()


def test_the_complaint_follows_the_element_form(loan: Loan) -> None:
    borrower, _guarantor = parties()
    matter = Matter.objects.create(
        creditor=loan.creditor,
        loan=loan,
        kind="lawsuit",
        court="上海市浦东新区人民法院",
        opened_on=AS_OF,
    )

    _document, data = generate(loan, "complaint", "docx", matter=matter)

    text = docx_text(data)
    born = borrower.id_number[6:14]
    assert f"{int(born[:4])}年{int(born[4:6])}月{int(born[6:])}日" in text
    assert ("男" if int(borrower.id_number[16]) % 2 else "女") in text
    for element in (
        "当事人信息",
        "诉讼请求和依据",
        "约定管辖和诉讼保全",
        "事实与理由",
        "纠纷解决意愿",
        "8. 标的总额",
        "19. 证据清单",
        "具状人",
    ):
        assert element in text
    assert "■等额本息" in text and "上海市浦东新区世纪大道100号" in text
    assert "按年利率18%计算罚息至实际清偿之日止" in text
    assert "此致\n上海市浦东新区人民法院" in text
    assert "人民币" in text and "HT-2026-001" in text


def test_the_enforcement_application_rests_on_the_judgment_of_the_parent_suit(
    loan: Loan,
) -> None:
    suit = Matter.objects.create(
        creditor=loan.creditor,
        loan=loan,
        kind="lawsuit",
        court="上海金融法院",
        case_number="(2026)沪74民初1号",
        opened_on=AS_OF,
    )
    suit.events.create(kind="judgment", occurred_on=date(2026, 9, 1))
    enforcement = Matter.objects.create(
        creditor=loan.creditor, loan=loan, kind="enforcement", parent=suit, opened_on=AS_OF
    )

    _document, data = generate(loan, "enforcement_application", "docx", matter=enforcement)

    text = docx_text(data)
    assert "上海金融法院（(2026)沪74民初1号）民事判决书" in text and "2026年9月1日" in text


def test_the_evidence_list_numbers_the_usual_financial_loan_evidence(loan: Loan) -> None:
    _document, data = generate(loan, "evidence_list", "docx")

    table = Document(io.BytesIO(data)).tables[0]
    header = [cell.text for cell in table.rows[0].cells]
    assert header == ["序号", "证据名称", "证据来源", "页码", "证明内容"]
    names = [row.cells[1].text for row in table.rows[1:]]
    assert [row.cells[0].text for row in table.rows[1:]] == [str(n) for n in range(1, 8)]
    assert any("借款合同" in name for name in names) and any("保证合同" in n for n in names)
    assert any("放款凭证" in name for name in names) and any("催收" in n for n in names)


def test_a_collector_is_refused_and_nothing_is_written(loan: Loan) -> None:
    collector = User.objects.create_user("collector", role="collector")
    audited = AuditEntry.objects.count()
    folder = Path(settings.DATA_DIR) / "legal" / "documents" / str(loan.creditor_id)
    before = sorted(folder.rglob("*")) if folder.exists() else []

    with pytest.raises(PermissionDenied):
        generate(loan, "complaint", "docx", user=collector)

    assert not LegalDocument.objects.exists() and AuditEntry.objects.count() == audited
    assert (sorted(folder.rglob("*")) if folder.exists() else []) == before


def test_a_legal_officer_outside_the_creditors_portfolio_does_not_find_the_loan(
    loan: Loan,
) -> None:
    officer = User.objects.create_user("lawyer", role="legal_officer")

    with pytest.raises(NotFound):
        generate(loan, "complaint", "docx", user=officer)

    assert not LegalDocument.objects.exists()


def test_a_legal_officers_paper_is_recorded_with_its_hash_and_audited(loan: Loan) -> None:
    officer = User.objects.create_user("lawyer", role="legal_officer")
    officer.creditors.add(loan.creditor)

    document, data = generate(loan, "complaint", "docx", user=officer)

    assert document.sha256 == hashlib.sha256(data).hexdigest() and document.size == len(data)
    assert document.generated_by == officer and document.as_of == AS_OF
    entry = AuditEntry.objects.get(action="legal.document")
    assert entry.actor == officer and entry.subject_id == "HT-2026-001"
    assert entry.data["sha256"] == document.sha256 and entry.data["kind"] == "complaint"


def test_each_draft_is_a_new_file_and_none_is_overwritten(loan: Loan) -> None:
    first, first_bytes = generate(loan, "lawyer_letter", "docx")
    second, _second_bytes = generate(loan, "lawyer_letter", "docx")

    assert first.path != second.path
    assert legal_document_file(first).read_bytes() == first_bytes
    assert first.path.startswith(f"legal/documents/{loan.creditor_id}/HT-2026-001/")


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_the_word_templates_use_only_variables_the_context_has(loan: Loan, kind: str) -> None:
    claim = loan_claim(loan, as_of=AS_OF)
    context = document_context(loan=loan, kind=kind, as_of=AS_OF, claim=claim, today=AS_OF)

    missing = DocxTemplate(str(docx_template_path(kind))).get_undeclared_template_variables(
        context=context
    )

    assert missing == set()


def test_the_shipped_templates_are_what_the_forms_make(tmp_path: Path) -> None:
    written = write_templates(tmp_path)

    for path in written:
        shipped = TEMPLATES / path.relative_to(tmp_path)
        assert path.read_bytes() == shipped.read_bytes(), f"{shipped} differs: run make_templates"


def test_the_command_copies_the_paper_to_out_and_prints_its_hash(
    loan: Loan, tmp_path: Path
) -> None:
    out = io.StringIO()

    call_command(
        "legal",
        "document",
        "HT-2026-001",
        "--kind",
        "complaint",
        "--format",
        "docx",
        "--out",
        str(tmp_path),
        "--as-of",
        "2026-07-15",
        stdout=out,
    )

    document = LegalDocument.objects.get()
    written = tmp_path / Path(document.path).name
    lines = out.getvalue().split()
    assert str(written) in lines and f"{document.sha256}" in lines
    assert hashlib.sha256(written.read_bytes()).hexdigest() == document.sha256
    assert AuditEntry.objects.get(action="legal.document").actor is None
