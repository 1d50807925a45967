"""The citation viewer (/viewer) in headless Debian Chromium against a real uvicorn over a real
guideline PDF: the page image loads, the quote's overlay sits where /highlights says, the tab is named
after the guideline page, and an API key handed over by the opener is used. Screenshots go to test-artifacts/."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest

from api.app import create_app
from rag.settings import Settings
from tests.support.browser import ARTIFACTS, launch
from tests.support.real_pdf import PAGE, SENTENCE
from tests.support.servers import running_server

pytestmark = [pytest.mark.browser, pytest.mark.corpus]
TITLE_WORD = "hypertension"  # in the ingested title of the WHO guideline


@pytest.fixture(scope="module")
def browser():
    yield from launch()


@pytest.fixture
def serve(real_index, fake_embedder):
    def start(**overrides):
        settings = Settings(**{"index": real_index, "rate_limit_per_minute": 0, **overrides})
        return running_server(create_app(settings, embedder=fake_embedder))

    return start


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    yield context
    context.close()
    assert not errors, errors


def fragment(doc_id: str, page: int, quote: str) -> str:
    return "#" + urlencode({"doc": doc_id, "page": page, "q": quote})


def assert_overlay_on_the_quote(page, highlights: dict) -> None:
    """The first .hl overlay covers the first box of /highlights, scaled to the displayed image."""
    page.wait_for_selector("#figure .hl", state="attached", timeout=20_000)
    image = page.locator("#page-image").bounding_box()
    overlay = page.locator("#figure .hl").first.bounding_box()
    assert image and overlay and image["width"] > 300
    ratio = image["width"] / highlights["width"]
    x0, y0, x1, y1 = highlights["boxes"][0]
    expected = {"x": image["x"] + x0 * ratio, "y": image["y"] + y0 * ratio,
                "width": (x1 - x0) * ratio, "height": (y1 - y0) * ratio}
    for side in ("x", "y", "width", "height"):
        assert abs(overlay[side] - expected[side]) < 2, (side, overlay, expected)
    viewport = page.viewport_size
    assert 0 <= overlay["y"] < viewport["height"], "the first highlight is scrolled into view"
    assert page.locator("#page-image").evaluate("img => img.complete && img.naturalWidth") == highlights["width"]


def test_viewer_opens_the_page_with_the_quote_highlighted(context, serve, doc_id):
    page = context.new_page()
    with serve() as base:
        highlights = httpx.get(f"{base}/v1/documents/{doc_id}/pages/{PAGE}/highlights", params={"quote": SENTENCE}).json()
        meta = httpx.get(f"{base}/v1/documents/{doc_id}/pages/{PAGE}").json()
        page.goto(f"{base}/viewer{fragment(doc_id, PAGE, SENTENCE)}")
        assert_overlay_on_the_quote(page, highlights)
        title = page.title()
        assert TITLE_WORD in title.lower() and f"p. {meta['label'] or PAGE}" in title and f"(PDF p. {PAGE})" in title
        assert "blob:" not in title
        header = page.locator("header").inner_text()
        assert "Research use only: not medical advice." in header and f"PDF page {PAGE}" in header
        assert page.locator("#original").get_attribute("href") == f"/v1/documents/{doc_id}/file#page={PAGE}"
        page.screenshot(path=str(ARTIFACTS / "viewer-highlight.png"), full_page=False)

        page.click("#next")  # the fragment moves on; the quote is not on the next page
        page.wait_for_function(f"document.title.includes('(PDF p. {PAGE + 1})')", timeout=20_000)
        assert f"page={PAGE + 1}" in page.evaluate("location.hash")
        page.wait_for_function("!document.querySelector('#figure .hl')", timeout=20_000)
        assert "not found on this page" in page.locator("#status").inner_text()


def test_viewer_uses_the_key_its_opener_hands_over(context, serve, doc_id):
    opener = context.new_page()
    with serve(api_keys=["viewer-key"]) as base:
        highlights = httpx.get(f"{base}/v1/documents/{doc_id}/pages/{PAGE}/highlights", params={"quote": SENTENCE},
                               headers={"Authorization": "Bearer viewer-key"}).json()
        # Without an opener there is no key: the viewer says what to do instead of showing a broken page.
        alone = context.new_page()
        alone.goto(f"{base}/viewer{fragment(doc_id, PAGE, SENTENCE)}")
        alone.wait_for_selector("#status.error", timeout=20_000)
        assert "needs an API key" in alone.locator("#status").inner_text()
        alone.close()

        # What the widget does: open the viewer, answer its ready message with the key (to that window only).
        opener.goto(f"{base}/healthz")
        opener.evaluate("""() => { window.__asked = 0;
          window.addEventListener('message', (e) => {
            if (e.data && e.data.type === 'gqa-viewer-ready') {
              window.__asked += 1;
              e.source.postMessage({type: 'gqa-key', key: 'viewer-key'}, location.origin);
            }
          }); }""")
        with context.expect_page() as popup_info:
            opener.evaluate(f"() => window.open('/viewer{fragment(doc_id, PAGE, SENTENCE)}', 'gqa-viewer')")
        viewer = popup_info.value
        assert_overlay_on_the_quote(viewer, highlights)
        assert TITLE_WORD in viewer.title().lower() and f"(PDF p. {PAGE})" in viewer.title()
        assert opener.evaluate("window.__asked") == 1
        viewer.screenshot(path=str(ARTIFACTS / "viewer-highlight-keyed.png"))


def test_viewer_shows_only_the_cited_lines_of_a_markdown_guideline(context, live_server):
    page = context.new_page()
    with live_server() as base:
        docs = {d["source"]: d for d in httpx.get(f"{base}/v1/documents").json()["documents"]}
        md = docs["who/malaria.md"]
        page.goto(f"{base}/viewer#" + urlencode({"doc": md["doc_id"], "page": 1, "lines": "5-6"}))
        page.wait_for_selector("#text .hl", timeout=20_000)
        marked = page.locator("#text .hl").all_inner_texts()
        assert len(marked) == 2 and "severe malaria with intravenous" in marked[0]
        assert "Artemether-lumefantrine" not in page.locator("#text").inner_text()  # not the whole manual
        assert page.title().startswith(md["title"]) and "lines 5-6" in page.title()
        assert page.locator("#figure").is_hidden()
