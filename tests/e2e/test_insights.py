"""The insights page draws its charts behind a firewall: a manager opens /insights/ from the
menu with every request off the machine refused, and each chart's canvas has pixels drawn
by the vendored ECharts (no CDN, no inline script, no Content-Security-Policy complaint)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Route, expect

from tests.e2e.conftest import sign_in
from tests.workbench.test_insights_pages import PASSWORD, InsightsWorld, insights_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Opaque pixels a drawn chart has at the least: axes, labels and a bar or a line.
DRAWN_PIXELS = 2_000
PAINTED = """canvas => {
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { painted += 1; } }
    return painted;
}"""


@pytest.fixture
def world(transactional_db: None, tmp_path: Path) -> InsightsWorld:
    return insights_world(tmp_path)


def test_a_manager_sees_the_charts_drawn_with_the_network_cut(
    page: Page, world: InsightsWorld, live_server: object
) -> None:
    ours = urlsplit(str(live_server)).netloc
    refused: list[str] = []
    complaints: list[str] = []

    def only_this_server(route: Route) -> None:
        # The network is cut: anything not addressed to this server never leaves the browser.
        if urlsplit(route.request.url).netloc == ours:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            complaints.append(message.text)

    page.context.route("**/*", only_this_server)
    page.on("console", console)
    page.on("pageerror", lambda error: complaints.append(str(error)))
    sign_in(page, "boss", PASSWORD)
    page.get_by_test_id("nav-insights").click()
    page.wait_for_url("**/insights/")

    charts = page.locator("[data-chart]")
    expect(charts.first).to_be_visible()
    slugs = charts.evaluate_all("elements => elements.map(e => e.dataset.chart)")
    assert {"aging", "roll-rates", "vintages"} <= set(slugs)
    for slug in slugs:
        chart = page.locator(f'[data-chart="{slug}"]')
        expect(chart).to_have_attribute("data-drawn", "true")
        painted = chart.locator("canvas").first.evaluate(PAINTED)
        assert painted > DRAWN_PIXELS, f"the {slug} chart drew {painted} pixels"
    assert refused == [], f"the insights page reached off the machine: {refused}"
    assert complaints == []
