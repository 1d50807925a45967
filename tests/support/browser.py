"""Headless Debian Chromium driven by Playwright (never `playwright install`): one launcher for every browser test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # screenshots
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def launch() -> Iterator:
    """A running Chromium (skipped without it, failed with GQA_REQUIRE_BROWSER=1), closed afterwards."""
    if not CHROMIUM.exists():
        if os.environ.get("GQA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"GQA_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: apt-get install -y chromium chromium-driver")
        pytest.skip(f"{CHROMIUM} missing (apt-get install -y chromium chromium-driver)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()
