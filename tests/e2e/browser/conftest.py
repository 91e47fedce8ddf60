"""Browser tests: Playwright driving Debian's Chromium (``/usr/bin/chromium``; Playwright's own
browser download is not available here) against the whole running system (``system``)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.browser import Screens

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="package")
def chromium():
    """One browser for the browser tests. Package scope: the sync Playwright driver runs an event
    loop in the main thread, so it must be gone before any asyncio test of the session runs."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Debian's chromium is needed for the browser tests: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                                    args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screens(screenshots) -> Screens:
    return Screens(screenshots)


@pytest.fixture
def new_page(chromium, system):
    """``new_page()`` → a page in a fresh browser context (its own cookies) on the system's gateway."""
    contexts = []

    def make():
        context = chromium.new_context(base_url=system.url, viewport={"width": 1280, "height": 900},
                                       accept_downloads=True)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for c in contexts:
        c.close()
