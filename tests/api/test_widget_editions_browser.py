"""An older edition in the widget (headless Debian Chromium, real uvicorn): a search result and a citation show
organisation, title, edition and year, and a visible "superseded by ..." mark linking to the newer edition.
The passages and the answer are the real ones over two generated editions (tests/support/editions.py),
served to the widget as the server would send them."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from rag.answering.generators.extractive import ExtractiveGenerator
from rag.index.reader import LiveIndex
from rag.qa import QA
from rag.retrieval.retriever import Retriever
from rag.settings import Settings
from tests.api.test_widget_browser import ARTIFACTS, browser, inner, page  # noqa: F401 - fixtures
from tests.support.editions import NEW_LABEL, OLD_TITLE, SEVERE_QUESTION

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def answer(editions_index, embedder) -> dict:
    """The extractive answer to SEVERE_QUESTION over both editions (it cites the older one: its words match)."""
    settings = Settings(index=editions_index, top_k=3)
    qa = QA(Retriever(LiveIndex(editions_index), embedder, settings), ExtractiveGenerator(settings), settings)
    return qa.ask(SEVERE_QUESTION).to_dict()


def test_search_results_and_citations_mark_the_superseded_edition(page, live_server, answer):  # noqa: F811
    old = next(p for p in answer["passages"] if p["superseded_by"])
    cited_old = [c for c in answer["citations"] if c["superseded_by"]]
    assert cited_old, answer["citations"]  # the answer must cite the older edition for this test to mean anything
    stream = (f"event: passages\ndata: {json.dumps({'passages': answer['passages']})}\n\n"
              f"event: answer\ndata: {json.dumps(answer)}\n\n")
    with live_server() as base:
        page.route(f"{base}/v1/search*", lambda route: route.fulfill(
            status=200, body=json.dumps({"passages": answer["passages"], "timings": {}}),
            headers={"Content-Type": "application/json"}))
        page.route(f"{base}/v1/ask", lambda route: route.fulfill(status=200, body=stream,
                                                                 headers={"Content-Type": "text/event-stream"}))
        page.goto(f"{base}/")
        inner(page, "input").fill("quinine severe malaria")
        result = inner(page, '[data-panel="search"] li.result').filter(has_text="quinine").first
        result.wait_for()
        meta = result.locator(".meta").inner_text()
        # The title says "second edition" already: the edition is not repeated after it.
        assert meta.startswith(f"WHO · {OLD_TITLE} (2010)") and f"superseded by {NEW_LABEL}" in meta, meta
        mark = result.locator(".superseded a")
        assert mark.is_visible() and f"doc={old['superseded_by']}" in mark.get_attribute("href")
        fresh = inner(page, '[data-panel="search"] li.result').filter(has_text="Artesunate").first
        assert "superseded" not in fresh.locator(".meta").inner_text()

        inner(page, '[role="tab"][data-mode="ask"]').click()
        inner(page, "input").fill(SEVERE_QUESTION)
        inner(page, "input").press("Enter")
        citation = inner(page, ".citations li").filter(has_text="superseded by").first
        citation.wait_for()
        text = citation.inner_text()
        assert f"WHO · {OLD_TITLE} (2010)" in text and f"superseded by {NEW_LABEL}" in text, text
        assert citation.locator(".superseded mark").is_visible()
        page.screenshot(path=str(ARTIFACTS / "widget-superseded-edition.png"), full_page=True)


def test_the_viewer_header_says_superseded_and_links_to_the_newer_edition(page, live_server, editions_index,  # noqa: F811
                                                                           answer):
    old = next(p for p in answer["passages"] if p["superseded_by"])
    with live_server(index=editions_index) as base:
        page.goto(f"{base}/viewer#" + urlencode({"doc": old["doc_id"], "page": old["pages"][0]}))
        mark = page.locator("#superseded")
        mark.wait_for(timeout=20_000)
        assert f"Superseded by {NEW_LABEL}" in mark.inner_text()
        mark.locator("a").click()
        page.wait_for_function(f"location.hash.includes('{old['superseded_by']}')", timeout=20_000)
        page.wait_for_selector("#superseded", state="hidden", timeout=20_000)  # the newest edition: no mark
        assert "third edition" in page.locator("#doc-title").inner_text().lower()
