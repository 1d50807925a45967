"""What a reader sees of an answer in the widget (headless Debian Chromium, real uvicorn, real index):
every sentence's standing, the notices, the count of supported sentences, and the disclaimer on the first
screen of a phone. The answer with a wrong dose is the real QA's check of a generation written here (a model
that gets the dose wrong), streamed to the widget as the server would stream it. Screenshots: test-artifacts/."""

from __future__ import annotations

import json

import pytest

from rag.answering.generators.base import Generation
from rag.wiring import build_qa
from tests.api.test_widget_browser import ARTIFACTS, browser, inner, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

QUESTION = "What dose of artesunate for severe malaria?"
RIGHT = "Children weighing less than 20 kg should receive a higher dose of artesunate, 3 mg/kg per dose."
WRONG = "Children weighing less than 20 kg should receive a higher dose of artesunate, 5 mg/kg per dose."


def _checked_answer(make_settings) -> dict:
    """The real check of a generation whose second sentence gives the wrong dose."""
    qa = build_qa(make_settings())
    retrieved = qa.retrieve(QUESTION)
    n = next(i for i, p in enumerate(retrieved.passages, 1) if "3 mg/kg" in p.text)
    text = f"- Treat severe malaria with intravenous or intramuscular artesunate for at least 24 hours. [{n}]\n- {WRONG} [{n}]"
    generation = Generation(text, tuple(retrieved.passages), "openai", "a-model-that-errs")
    return qa.finish(retrieved, generation).to_dict()


def _stream(answer: dict) -> str:
    passages = {"passages": answer["passages"]}
    return f"event: passages\ndata: {json.dumps(passages)}\n\nevent: answer\ndata: {json.dumps(answer)}\n\n"


def _ask(tab, base: str, answer: dict) -> None:
    tab.route(f"{base}/v1/ask", lambda route: route.fulfill(status=200, body=_stream(answer),
                                                             headers={"Content-Type": "text/event-stream"}))
    tab.goto(f"{base}/")
    inner(tab, '[role="tab"][data-mode="ask"]').click()
    box = inner(tab, "input")
    box.fill(QUESTION)
    box.press("Enter")


def test_ask_tab_marks_the_contradicted_sentence_and_counts_the_supported(page, live_server, make_settings):  # noqa: F811
    answer = _checked_answer(make_settings)
    verdicts = [s["verdict"] for s in answer["sentences"]]
    assert verdicts == ["supported", "contradicted"], answer["sentences"]
    with live_server() as base:
        _ask(page, base, answer)
        marked = inner(page, '.answer span[data-verdict="contradicted"]')
        marked.wait_for()
        assert "5 mg/kg" in marked.inner_text()
        assert "contradicted by the guideline" in inner(page, ".answer").inner_text()  # a visible label, not a tooltip
        assert inner(page, ".answer span[data-verdict]").count() == 1  # the supported sentence is not marked
        status = inner(page, ".status").inner_text()
        assert "1 supported of 2 sentences" in status and "1 contradicted" in status, status
        assert inner(page, '.checks li[data-verdict="contradicted"]').count() == 1
        page.screenshot(path=str(ARTIFACTS / "widget-ask-marked.png"), full_page=True)


def test_notices_are_shown(page, live_server, make_settings):  # noqa: F811
    answer = {**_checked_answer(make_settings), "notices": ["The answer quotes an older edition of this guideline."]}
    with live_server() as base:
        _ask(page, base, answer)
        notice = inner(page, ".notices li")
        notice.wait_for()
        assert "older edition" in notice.inner_text()


def test_on_a_phone_the_disclaimer_is_on_the_first_screen_of_the_answer(browser, live_server):  # noqa: F811
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()  # noqa: F811 - a phone's page, not the desktop fixture
    with live_server() as base:
        page.goto(f"{base}/")
        inner(page, '[role="tab"][data-mode="ask"]').click()
        box = inner(page, "input")
        box.fill("How should severe dehydration in cholera be treated?")
        box.press("Enter")
        inner(page, ".answer a.cite").first.wait_for()
        answer_top = inner(page, ".answer").evaluate("e => e.getBoundingClientRect().top")
        disclaimer = inner(page, ".disclaimer").evaluate(
            "e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; }")
        # The answer starts on the first screen, and the disclaimer is on that screen with it.
        assert answer_top < 740 and disclaimer[1] <= 740, (disclaimer, answer_top)
        assert "not medical advice" in inner(page, ".disclaimer").inner_text().lower()
        page.screenshot(path=str(ARTIFACTS / "widget-phone-answer.png"))
    context.close()
