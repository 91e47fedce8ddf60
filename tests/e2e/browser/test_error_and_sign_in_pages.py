"""The pages the journeys pass by or never reach, each screenshotted and checked by
``assert_accessible`` (axe-core's WCAG 2.2 AA rules, one h1, the title pattern): sign-in with its
errors and after signing out, the finance user's home page, a page that does not exist, a page the
user may not see, and an unknown download link."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.support.browser import PASSWORD, sign_in
from tests.support.journeys import step


def test_sign_in_errors_signed_out_and_home_pages_are_accessible(system, new_page, screens):
    page = new_page()
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in", exact=True).click()
    step(page, screens, "60-sign-in-no-details", error="Enter your email address")

    page.get_by_label("Email address", exact=True).fill("finance@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD + "-wrong")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    screens.shot(page, "61-sign-in-wrong-password")

    sign_in(page, "finance@example.com")
    step(page, goto="/", h1="Claim funding for mentor training")
    expect(page).to_have_title("Claim funding for mentor training – GOV.UK")
    screens.shot(page, "62-home-finance")

    step(page, screens, "63-no-permission", goto="/claims", h1="You do not have permission to see this page")

    step(page, screens, "64-page-not-found", goto="/claims/sampling/no-such-page", h1="Page not found")

    page.goto("/")
    step(page, screens, "65-signed-out", button="Sign out", banner="You have signed out")


def test_an_unknown_download_link_and_a_missing_page_are_accessible_when_not_signed_in(system, new_page, screens):
    page = new_page()
    step(page, screens, "66-link-unknown", goto="/links/sampling-not-a-real-link", h1="This link is not valid")
    step(page, screens, "67-page-not-found-signed-out", goto="/no-such-page", h1="Page not found")
