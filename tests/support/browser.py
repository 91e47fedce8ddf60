"""What the browser journeys share: signing in, waiting for a status that follows from events,
screenshots (kept under test-artifacts/screenshots) and the accessibility basics checked on every
screen: every form control has a label, one h1 and no skipped heading levels, and an error summary
that takes the focus."""
from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Page, expect

PASSWORD = "claimflow-demo"

A11Y = """() => {
  const problems = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (['hidden', 'submit', 'button', 'image', 'reset'].includes(type)) continue;
    const labelled = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!labelled) problems.push('no label for ' + (el.id || el.name || el.outerHTML.slice(0, 80)));
  }
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter(h => !h.closest('.govuk-notification-banner__header, .govuk-error-summary'))
    .map(h => Number(h.tagName[1]));
  if (headings.filter(l => l === 1).length !== 1) problems.push('expected one h1, got ' + JSON.stringify(headings));
  if (headings.length && headings[0] !== 1) problems.push('the first heading is not the h1: ' + JSON.stringify(headings));
  for (let i = 1; i < headings.length; i++) {
    if (headings[i] > headings[i - 1] + 1) problems.push('heading level skipped: ' + JSON.stringify(headings));
  }
  return problems;
}"""


class Screens:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken: list[str] = []

    def shot(self, page: Page, name: str) -> Path:
        """Check the page's accessibility basics, then keep a full-page screenshot of it."""
        page.wait_for_load_state("load")
        problems = page.evaluate(A11Y)
        assert not problems, f"{name} ({page.url}): {problems}"
        if page.locator(".govuk-error-summary").count():
            error_summary_has_focus(page)
        path = self.folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(name)
        return path


def error_summary_has_focus(page: Page) -> None:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('govuk-error-summary')",
                           timeout=5000)


def sign_in(page: Page, email: str, screens: Screens | None = None) -> None:
    page.goto("/sign-in")
    if screens:
        screens.shot(page, "01-sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state("load")
    assert "/sign-in" not in page.url, page.content()[:2000]


def wait_for_status(page: Page, reference: str, label: str, timeout: float = 30) -> None:
    """Claim statuses follow events: reload the claim page until the tag shows ``label``."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(f"/claims/{reference}")
        tag = page.locator("h1 .govuk-tag").inner_text().strip()
        if tag.lower() == label.lower():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"claim {reference} is {tag!r}, not {label!r}")
        time.sleep(0.5)


def wait_api_status(api, reference: str, status: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        claim = api.get(f"/api/v1/claims/{reference}").json()
        if claim["status"] == status:
            return claim
        if time.monotonic() > deadline:
            raise AssertionError(f"claim {reference} is {claim['status']}, not {status}")
        time.sleep(0.3)


def upload(page: Page, content: bytes, name: str = "claims.csv") -> None:
    page.get_by_label("Upload CSV file").set_input_files({"name": name, "mimeType": "text/csv", "buffer": content})
    page.locator("#upload-button").click()
    page.wait_for_load_state("load")


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+/links/[A-Za-z0-9_-]+", text)
