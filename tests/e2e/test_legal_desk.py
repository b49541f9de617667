"""The legal desk in a real browser, as issue 16's "Done when" describes it: a legal officer
goes from a case to a filed lawsuit, records the court's acceptance and the service, drafts a
complaint (DOCX, the borrower named in it) and an evidence bundle (a zip with its manifest),
downloads both, and finds the deadline on the home page; a collector then sees the case in
litigation.

Page contracts relied on (``data-testid``): ``start-matter`` on the case page;
``matter-form`` (fields ``kind``, ``court``, ``on``) with ``matter-submit``; on the matter
page ``matter-court``, ``event-form`` (``kind``, ``on``) with ``event-submit``,
``matter-events``, ``document-form`` (``kind``, ``fmt``, ``as_of``) with
``document-submit``, ``document-download``, ``bundle-submit``, ``bundle-download``; on the
home page ``home-deadlines`` with ``deadline`` rows (``data-deadline``); ``litigation`` on
the case page.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in
from tests.e2e.world import World

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
MATTER_URL = re.compile(r"/legal/matters/(\d+)/$")
COURT = "北京市朝阳区人民法院"


def record_event(page: Page, kind: str) -> None:
    form = page.get_by_test_id("event-form")
    form.locator("[name=kind]").select_option(kind)
    form.get_by_test_id("event-submit").click()
    expect(page.get_by_test_id("matter-events").locator(f"li[data-kind={kind}]")).to_have_count(1)


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_a_legal_officer_files_a_lawsuit_from_a_case_with_a_paper_and_a_bundle(
    page: Page, world: World, tmp_path: Path
) -> None:
    case_id = world.cases["E2E-A1"].pk
    sign_in(page, "legal")
    page.goto(f"/cases/{case_id}/")
    expect(page.get_by_test_id("litigation")).to_have_count(0)

    page.get_by_test_id("start-matter").click()
    form = page.get_by_test_id("matter-form")
    form.locator("[name=kind]").select_option("lawsuit")
    form.locator("[name=court]").fill(COURT)
    form.get_by_test_id("matter-submit").click()

    expect(page).to_have_url(MATTER_URL)
    expect(page.get_by_test_id("matter-court")).to_have_text(COURT)
    record_event(page, "accepted")
    record_event(page, "served")

    drafting = page.get_by_test_id("document-form")
    drafting.locator("[name=kind]").select_option("complaint")
    drafting.locator("[name=fmt]").select_option("docx")
    drafting.get_by_test_id("document-submit").click()
    with page.expect_download() as paper:
        page.get_by_test_id("document-download").first.click()
    complaint = tmp_path / "complaint.docx"
    paper.value.save_as(complaint)

    page.get_by_test_id("bundle-submit").click()
    with page.expect_download() as bundle:
        page.get_by_test_id("bundle-download").first.click()
    archive = tmp_path / "bundle.zip"
    bundle.value.save_as(archive)

    assert complaint.name.endswith(".docx") and "王小明" in docx_text(complaint)
    assert paper.value.suggested_filename.endswith(".docx")
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
    assert "manifest.csv" in names and len(names) > 3

    page.goto("/")
    deadlines = page.get_by_test_id("home-deadlines")
    expect(deadlines.locator("[data-deadline=acceptance_fee_payment]")).to_have_count(1)
    expect(deadlines).to_contain_text("E2E-A1")

    page.context.clear_cookies()
    sign_in(page, "collector1")
    page.goto(f"/cases/{case_id}/")
    mark = page.get_by_test_id("litigation")
    expect(mark).to_be_visible()
    expect(mark).to_contain_text(COURT)
    expect(mark).to_have_attribute("data-kind", "lawsuit")
