"""A field agent's two-person visit in a real browser (issue 20): sign in, open a case,
record the visit with a colleague and a photo, see it on the case timeline with the photo's
SHA-256, and open the printable visit report.

Page contracts relied on (``data-testid``): ``visit-new`` on the case page's field panel;
``visit-form`` (fields ``party``, ``colleagues``, ``new_address``, ``arrived_at``,
``left_at``, ``outcome``, ``notes``, ``evidence``) with ``visit-submit``; ``timeline``;
``visit-evidence`` and ``visit-report`` in the panel; ``visit-report`` and
``evidence-hash`` on the report.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from arrears.accounts.models import User
from tests.e2e.conftest import sign_in
from tests.e2e.world import PASSWORD, World
from tests.field.images import png

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def partner(world: World) -> User:
    """A second field agent of team A, made before the browser starts (no ORM after)."""
    return User.objects.create_user(
        "fieldagent2", password=PASSWORD, role="field_agent", team=world.team_a
    )


def test_a_field_agent_records_a_two_person_visit_with_a_photo_and_prints_the_report(
    partner: User, world: World, page: Page
) -> None:
    photo = png(4, 3)
    digest = hashlib.sha256(photo).hexdigest()
    now = timezone.localtime()
    arrived, left = now - timedelta(minutes=50), now - timedelta(minutes=10)
    case = world.cases["E2E-A3"]  # team A's pool: the field agent may work it

    sign_in(page, "fieldagent")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_test_id("visit-new").click()

    form = page.get_by_test_id("visit-form")
    expect(form).to_be_visible()
    form.locator("select[name=colleagues]").select_option(str(partner.pk))
    form.locator("input[name=new_address]").fill("北京市海淀区中关村大街27号")
    form.locator("input[name=arrived_at]").fill(arrived.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=left_at]").fill(left.strftime("%Y-%m-%dT%H:%M"))
    form.locator("select[name=outcome]").select_option("met_debtor")
    form.locator("textarea[name=notes]").fill("见到本人，承诺月底前还款")
    form.locator("input[name=evidence]").set_input_files(
        {"name": "门口.png", "mimeType": "image/png", "buffer": photo}
    )
    page.get_by_test_id("visit-submit").click()

    expect(page.get_by_test_id("timeline")).to_contain_text(digest)
    expect(page.get_by_test_id("timeline")).to_contain_text("fieldagent, fieldagent2")
    expect(page.get_by_test_id("visit-evidence")).to_contain_text(digest)

    page.get_by_test_id("visit-report").click()
    report = page.get_by_test_id("visit-report")
    expect(report).to_be_visible()
    expect(page.get_by_test_id("evidence-hash")).to_contain_text(digest)
    expect(report).to_contain_text("fieldagent, fieldagent2")
    expect(report).to_contain_text("北京市海淀区中关村大街27号")  # a field agent sees it whole
    expect(report.locator("img.evidence-photo")).to_have_count(1)
