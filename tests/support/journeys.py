"""The step every browser journey repeats, written once: reach a page (go to a URL, or answer the
questions on the page and press its button or link), check what the page now shows, and keep a
screenshot of it (``Screens.shot``, which runs ``assert_accessible`` on the page).

What a page shows is named by the GOV.UK component that shows it: ``h1`` is the page's whole
heading; each of the others (a text, or a tuple of texts) must be in that component."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.browser import Screens

#: Where each kind of text a step expects stands on the page.
SHOWN_IN = {
    "error": ".govuk-error-summary",
    "banner": ".govuk-notification-banner",
    "panel": ".govuk-panel",
    "inset": ".govuk-inset-text",
    "summary": ".govuk-summary-list",
    "table": "table",
    "main": "main",
}

Texts = str | tuple[str, ...]


def answer(page: Page, answers: dict[str, str] | None = None, *, check: Texts = (),
           exact: bool | tuple[str, ...] = False) -> None:
    """Fill each labelled field with its answer, then tick each box (or choose each radio) labelled
    ``check``, in that order (a field a radio reveals is answered in a step of its own). A label is
    matched whole where ``exact`` is True or names it, else as a part of the field's label."""
    def field(label: str):
        return page.get_by_label(label, exact=exact if isinstance(exact, bool) else label in exact)

    for label, value in (answers or {}).items():
        field(label).fill(value)
    for label in (check,) if isinstance(check, str) else check:
        field(label).check()


def shows(page: Page, *, h1: str | None = None, **texts: Texts) -> None:
    """The page's h1 is ``h1`` and each component named in ``texts`` (``SHOWN_IN``) holds its text(s)."""
    if h1 is not None:
        expect(page.locator("h1")).to_have_text(h1)
    for kind, expected in texts.items():
        for text in (expected,) if isinstance(expected, str) else expected:
            expect(page.locator(SHOWN_IN[kind])).to_contain_text(text)


def step(page: Page, screens: Screens | None = None, shot: str | None = None, *, goto: str | None = None,
         fill: dict[str, str] | None = None, check: Texts = (), exact: bool | tuple[str, ...] = False,
         button: str | None = None,
         link: str | None = None, answered: bool = False, h1: str | None = None, **texts: Texts) -> None:
    """One step of a journey: go to ``goto``, or answer the page (``fill``, ``check``) and press its
    ``button`` or follow its ``link``; then check the page ``shows`` what is named, and take the
    screenshot ``shot`` (``answered``: the page's error summary need not hold the focus, see
    ``Screens.shot``)."""
    if goto is not None:
        page.goto(goto)
    answer(page, fill, check=check, exact=exact)
    if button is not None:
        page.get_by_role("button", name=button).click()
    if link is not None:
        page.get_by_role("link", name=link, exact=True).click()
    shows(page, h1=h1, **texts)
    if shot is not None:
        assert screens is not None, "a screenshot needs the screens fixture"
        screens.shot(page, shot, answered=answered)
