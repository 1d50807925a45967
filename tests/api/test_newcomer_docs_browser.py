"""/docs and /redoc render in headless Chromium with every request off 127.0.0.1 blocked (issue 19,
item 1): Swagger UI and ReDoc come from this server, not a CDN. Screenshots go to test-artifacts/."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.support.browser import ARTIFACTS, launch

pytestmark = pytest.mark.browser



@pytest.fixture(scope="module")
def browser():
    yield from launch()


@pytest.fixture
def offline_page(browser):
    """A page whose every request to a host other than 127.0.0.1 is aborted and recorded."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    blocked: list[str] = []

    def guard(route):
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page, blocked
    context.close()
    assert not errors, errors


def test_docs_render_the_operations_with_the_network_blocked(offline_page, live_server):
    page, blocked = offline_page
    with live_server() as base:
        page.goto(f"{base}/docs")
        page.locator(".opblock-summary-path", has_text="/v1/ask").first.wait_for(timeout=30_000)
        paths = set(page.locator(".opblock-summary-path").all_inner_texts())
        page.screenshot(path=str(ARTIFACTS / "docs-offline.png"), full_page=False)
    assert {"/v1/search", "/v1/ask", "/v1/batch", "/healthz"} <= {p.replace("\u200b", "") for p in paths}, paths
    assert not blocked, blocked


def test_redoc_renders_with_the_network_blocked(offline_page, live_server):
    page, blocked = offline_page
    with live_server() as base:
        page.goto(f"{base}/redoc")
        page.locator("h2", has_text="Answer a question with cited guideline passages").first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "redoc-offline.png"), full_page=False)
    assert not blocked, blocked
