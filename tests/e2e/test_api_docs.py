"""The API explorer works behind a firewall: /api/v1/docs draws Swagger UI from files this
server ships, so with every request off the machine refused it still lists the endpoints."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import sign_in
from tests.e2e.world import World

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_api_docs_render_with_the_network_cut(
    page: Page, world: World, live_server: object
) -> None:
    ours = urlsplit(str(live_server)).netloc
    refused: list[str] = []

    def only_this_server(route: Route) -> None:
        # The network is cut: anything not addressed to this server never leaves the browser.
        if urlsplit(route.request.url).netloc == ours:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    page.context.route("**/*", only_this_server)
    sign_in(page, "admin")
    page.goto("/api/v1/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Arrears API")
    # The operations come from the server's own openapi.json, drawn by the vendored bundle.
    expect(
        page.locator(".opblock-summary-path", has_text="/api/v1/loans/{loan_id}")
    ).to_be_visible()
    assert refused == [], f"the docs page reached off the machine: {refused}"
