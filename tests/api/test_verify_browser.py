"""The widget's Check tab in headless Debian Chromium against a real uvicorn over a real index: a sentence
with a wrong dose is marked contradicted, with the guideline's words. Screenshot: test-artifacts/."""

from __future__ import annotations

import pytest

from api.app import create_app, include_v1
from api.routes.verify import router as verify_router
from tests.api.test_widget_browser import ARTIFACTS, browser, inner, page  # noqa: F401 - fixtures
from tests.support.servers import running_server

pytestmark = pytest.mark.browser

TEXT = ("Children weighing less than 20 kg should receive a higher dose of artesunate, 3 mg/kg per dose. "
        "Children weighing less than 20 kg should receive a higher dose of artesunate, 5 mg/kg per dose.")


def test_check_tab_marks_the_contradicted_sentence(page, make_settings, embedder):  # noqa: F811
    app = create_app(make_settings(), embedder=embedder)
    include_v1(app, verify_router)
    with running_server(app) as base:
        page.goto(f"{base}/")
        inner(page, '[role="tab"][data-mode="verify"]').click()
        box = inner(page, "input")
        box.fill(TEXT)
        box.press("Enter")
        marked = inner(page, '.answer span[data-verdict="contradicted"]')
        marked.wait_for()
        assert "5 mg/kg" in marked.inner_text()
        style = marked.evaluate("e => { const s = getComputedStyle(e); return [s.backgroundColor, s.textDecorationLine]; }")
        assert style[0] not in ("rgba(0, 0, 0, 0)", "transparent") and "line-through" in style[1]
        checks = inner(page, ".checks li")
        assert checks.count() == 2
        assert checks.nth(0).get_attribute("data-verdict") == "supported"
        bad = checks.nth(1)
        assert bad.get_attribute("data-verdict") == "contradicted"
        assert "the guideline says 3 mg/kg, the claim says 5 mg/kg" in bad.inner_text()
        assert "Contradicted" in bad.inner_text()
        assert "1 contradicted" in inner(page, ".status").inner_text()
        # the supported sentence is not marked
        assert inner(page, '.answer span[data-verdict]').count() == 1
        page.screenshot(path=str(ARTIFACTS / "widget-verify-contradicted.png"), full_page=True)
