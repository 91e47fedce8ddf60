"""What the browser journeys share: signing in, waiting for a status that follows from events,
screenshots (kept under test-artifacts/screenshots) and the accessibility checks run on every
screen (``assert_accessible``): no axe-core violation of the WCAG 2.2 AA rules, every form control
labelled, one h1 and no skipped heading levels, the title "<h1> – Claim funding for mentor training
– GOV.UK" ("Error: " first when the page shows an error summary), and an error summary that takes
the focus.

axe-core comes from PyPI's ``axe-playwright-python`` (the test extra in pyproject.toml), which ships
axe.min.js; only that script is used: it is evaluated in the page (not added as a script tag, so the
gateway's Content-Security-Policy does not block it) and ``axe.run`` is called with our tags."""
from __future__ import annotations

import functools
import importlib.resources
import re
import time
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Page, expect

PASSWORD = "claimflow-demo"
SERVICE_NAME = "Claim funding for mentor training"
#: The finance pages (ECF) carry their own service's name.
ECF_SERVICE_NAME = "Manage early career teacher training payments"
#: The project standard: WCAG 2.2 AA (every level A and AA rule of WCAG 2.0, 2.1 and 2.2).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

A11Y = """() => {
  const problems = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (['hidden', 'submit', 'button', 'image', 'reset'].includes(type)) continue;
    // A control taken out of the page itself (the select an autocomplete replaces) is read by no one;
    // one inside a closed conditional reveal keeps its own display and is still checked.
    if (getComputedStyle(el).display === 'none') continue;
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


#: Runs axe-core with the WCAG tags and returns the violations, each reduced to what a reader needs.
AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                              summary: n.failureSummary || ''}))}));
}"""

#: The page's title, its h1 (status tags in the h1 are left out: the title names the page, not the
#: claim's current status) and whether it shows an error summary.
TITLE_PARTS = """() => {
  const h1s = [...document.querySelectorAll('h1')];
  let h1 = null;
  if (h1s.length === 1) {
    const copy = h1s[0].cloneNode(true);
    copy.querySelectorAll('.govuk-tag').forEach(t => t.remove());
    h1 = copy.textContent.replace(/\\s+/g, ' ').trim();
  }
  return {title: document.title, h1s: h1s.length, h1: h1,
          error: !!document.querySelector('.govuk-error-summary')};
}"""


@functools.cache
def axe_source() -> str:
    return importlib.resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(AXE_RUN, WCAG_TAGS)


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for n in v["nodes"]:
            lines.append(f"    {n['target']}: {n['html']}")
            if n["summary"]:
                lines.append("      " + n["summary"].replace("\n", "\n      "))
    return "\n".join(lines)


def title_problems(page: Page) -> list[str]:
    parts = page.evaluate(TITLE_PARTS)
    if parts["h1s"] != 1:
        return [f"expected exactly one h1, found {parts['h1s']}"]
    service = ECF_SERVICE_NAME if urlparse(page.url).path.startswith("/finance") else SERVICE_NAME
    page_name = "" if parts["h1"] == service else f"{parts['h1']} – "   # the service's home page
    expected = f"{'Error: ' if parts['error'] else ''}{page_name}{service} – GOV.UK"
    if parts["title"] != expected:
        return [f"the title is {parts['title']!r}, expected {expected!r}"]
    return []


def assert_accessible(page: Page, name: str = "") -> None:
    """Fail unless the page has no axe-core violation of the WCAG 2.2 AA rules, every control is
    labelled, there is exactly one h1 and no skipped heading level, and the title is
    "<h1> – Claim funding for mentor training – GOV.UK" (with "Error: " first on a page with an
    error summary; "Claim funding for mentor training – GOV.UK" where the h1 is the service's name).
    The failure lists every violation: rule id, impact, help and the nodes."""
    page.wait_for_load_state("load")
    where = f"{name or 'page'} ({page.url})"
    violations = axe_violations(page)
    problems = page.evaluate(A11Y) + title_problems(page)
    message = []
    if violations:
        message.append(f"{len(violations)} axe-core violation(s) of {', '.join(WCAG_TAGS)}:\n"
                       + describe_violations(violations))
    if problems:
        message.append("\n".join(f"- {p}" for p in problems))
    assert not message, f"{where} is not accessible:\n" + "\n".join(message)


class Screens:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken: list[str] = []

    def shot(self, page: Page, name: str, *, answered: bool = False) -> Path:
        """Check the page's accessibility (``assert_accessible``), then keep a full-page screenshot.
        A page with an error summary must give it focus as it loads, unless the test has already
        ``answered`` a question on it (focus is then in that answer)."""
        assert_accessible(page, name)
        if page.locator(".govuk-error-summary").count() and not answered:
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
            assert_accessible(page, f"claim {reference}: {label}")
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


def choose_from_autocomplete(page: Page, label: str, option: str) -> None:
    """Answer a question that GOV.UK's accessible autocomplete enhances (a long ``<select>``): type
    part of the option, pick it from the list, and check the select underneath now holds it."""
    box = page.get_by_role("combobox", name=label)
    box.fill(option[:6])
    page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)
