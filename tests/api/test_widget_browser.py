"""The widget in headless Debian Chromium (Playwright, never `playwright install`), against a real
uvicorn over a real index. Screenshots go to test-artifacts/."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.browser import ARTIFACTS, launch
from tests.support.servers import free_port

pytestmark = pytest.mark.browser


HOSTILE_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Field portal</title>
<style>
  * { font-family: "Comic Sans MS", cursive !important; font-size: 31px !important; color: #f0f !important;
      letter-spacing: 6px !important; text-transform: uppercase !important; box-sizing: content-box !important; }
  body { background: #222 !important; line-height: 0.6 !important; }
  input, button, ol, li, a, p, div { display: inline !important; visibility: hidden; border: 9px dotted lime !important; }
  guideline-lookup { font-size: 40px !important; color: yellow !important; }
  ol { list-style: upper-roman !important; }
</style>
<script src="{base}/widget.js" defer></script></head>
<body><h1>NGO field portal</h1><p>Our own page with its own CSS.</p>
<guideline-lookup endpoint="{base}" k="3"></guideline-lookup></body></html>"""


@pytest.fixture(scope="module")
def browser():
    yield from launch()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def inner(page, selector: str):
    """A locator inside the widget's shadow root (Playwright's CSS pierces open shadow roots)."""
    return page.locator(f"guideline-lookup {selector}")


def record_events(page) -> None:
    page.evaluate("""() => { window.__events = [];
      document.addEventListener('guideline-lookup:event', e => window.__events.push(e.detail.event)); }""")


def test_type_a_query_and_open_a_citation(page, live_server):
    with live_server() as base:
        page.goto(f"{base}/")
        box = inner(page, "input")
        box.click()
        box.press_sequentially("first-line drugs for hypertension", delay=20)
        first = inner(page, "li.result").first
        first.wait_for()
        meta = first.locator(".meta").inner_text()
        assert "WHO" in meta and "2021" in meta and "p. " in meta
        assert "passages" in inner(page, ".status").inner_text()
        page.screenshot(path=str(ARTIFACTS / "widget-search.png"), full_page=True)
        link = first.locator("a.open")
        href = link.evaluate("a => a.href")  # resolved against the page
        assert href.startswith(f"{base}/viewer#") and "doc=" in href and "page=" in href and "q=" in href
        with page.context.expect_page() as opened:
            link.click()
        cited = opened.value
        assert cited.url.split("#")[0] == f"{base}/viewer"
        cited.locator(".hl").first.wait_for()  # the page image, the passage's first sentence highlighted on it


def test_keyboard_only_lookup_of_a_markdown_passage(page, live_server):
    with live_server() as base:
        page.goto(f"{base}/")
        page.keyboard.press("Tab")  # the first tab: "Look up"
        page.keyboard.press("Tab")  # the search box
        page.keyboard.type("artesunate severe malaria children")
        inner(page, "li.result").first.wait_for()
        page.keyboard.press("ArrowDown")
        focused = page.evaluate("() => document.querySelector('guideline-lookup').shadowRoot.activeElement.href")
        assert "/viewer#" in focused and "lines=" in focused
        with page.context.expect_page() as opened:
            page.keyboard.press("Enter")
        cited = opened.value
        cited.locator(".hl").first.wait_for()  # the cited lines, highlighted
        assert "artesunate" in cited.content()
        assert "Research use only" in cited.content()


def test_ask_streams_the_answer_with_numbered_citations(page, live_server):
    with live_server() as base:
        page.goto(f"{base}/")
        record_events(page)
        inner(page, '[role="tab"][data-mode="ask"]').click()
        box = inner(page, "input")
        box.fill("How should severe dehydration in cholera be treated?")
        box.press("Enter")
        inner(page, ".answer a.cite").first.wait_for()
        events = page.evaluate("() => window.__events")
        assert events[0] == "passages" and events[-1] == "answer" and "token" in events
        assert events.index("answer") > max(i for i, e in enumerate(events) if e == "token")
        assert inner(page, ".citations li").count() >= 1
        cite = inner(page, ".answer a.cite").first
        assert "/viewer#doc=" in cite.get_attribute("href")
        assert "not medical advice" in inner(page, ".disclaimer").inner_text().lower()
        assert inner(page, ".sources li.result").count() >= 1
        page.screenshot(path=str(ARTIFACTS / "widget-ask.png"), full_page=True)


def test_embedded_in_a_hostile_page_on_another_origin(page, live_server, tmp_path):
    host_port = free_port()
    host_origin = f"http://127.0.0.1:{host_port}"
    with live_server(cors_origins=[host_origin]) as base:
        (tmp_path / "index.html").write_text(HOSTILE_PAGE.replace("{base}", base), encoding="utf-8")
        handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
        host = ThreadingHTTPServer(("127.0.0.1", host_port), handler)
        threading.Thread(target=host.serve_forever, daemon=True).start()
        try:
            page.goto(f"{host_origin}/index.html")
            box = inner(page, "input")
            box.fill("oral rehydration salts cholera")
            first = inner(page, "li.result").first
            first.wait_for()
            assert "MSF" in first.inner_text()
            style = first.evaluate(
                "e => { const s = getComputedStyle(e); return [s.fontSize, s.display, s.visibility, s.color]; }")
            assert style[0] == "16px" and style[1] == "list-item" and style[2] == "visible" and style[3] != "rgb(255, 0, 255)"
            assert box.evaluate("e => getComputedStyle(e).textTransform") == "none"
            page.screenshot(path=str(ARTIFACTS / "widget-hostile-host.png"), full_page=True)
        finally:
            host.shutdown()


def test_with_an_api_key_from_another_origin(page, live_server, tmp_path):
    host_port = free_port()
    host_origin = f"http://127.0.0.1:{host_port}"
    with live_server(cors_origins=[host_origin], api_keys=["widget-key"]) as base:
        (tmp_path / "keyed.html").write_text(
            f'<!doctype html><script src="{base}/widget.js" defer></script>'
            f'<guideline-lookup endpoint="{base}" api-key="widget-key"></guideline-lookup>', encoding="utf-8")
        host = ThreadingHTTPServer(("127.0.0.1", host_port), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
        threading.Thread(target=host.serve_forever, daemon=True).start()
        try:
            page.goto(f"{host_origin}/keyed.html")
            inner(page, "input").fill("thiazide ACE inhibitors")
            first = inner(page, "li.result").first
            first.wait_for()  # the preflight allowed Authorization and the key was accepted
            with page.context.expect_page() as opened:
                first.locator("a.open").click()
            cited = opened.value
            cited.locator(".hl").first.wait_for()  # the viewer got the key from its opener and fetched the page
            assert cited.url.startswith(f"{base}/viewer#")
            assert "Guideline" in cited.title() and "blob:" not in cited.title() and "widget-key" not in cited.url
        finally:
            host.shutdown()


def test_readable_on_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    with live_server() as base:
        page.goto(f"{base}/")
        inner(page, "input").fill("artemether-lumefantrine")
        inner(page, "li.result").first.wait_for()
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], widths  # no sideways scrolling
        height = inner(page, "input").evaluate("e => e.getBoundingClientRect().height")
        assert height >= 44  # a finger-sized target
        page.screenshot(path=str(ARTIFACTS / "widget-phone.png"), full_page=True)
    context.close()
