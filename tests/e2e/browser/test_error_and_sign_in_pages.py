"""The pages the journeys pass by or never reach, each screenshotted and checked by
``assert_accessible`` (axe-core's WCAG 2.2 AA rules, one h1, the title pattern): sign-in with its
errors and after signing out, the finance user's home page, a page that does not exist, a page the
user may not see, and an unknown download link."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.support.browser import PASSWORD, sign_in


def test_sign_in_errors_signed_out_and_home_pages_are_accessible(system, new_page, screens):
    page = new_page()
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    screens.shot(page, "60-sign-in-no-details")

    page.get_by_label("Email address", exact=True).fill("finance@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD + "-wrong")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    screens.shot(page, "61-sign-in-wrong-password")

    sign_in(page, "finance@example.com")
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Claim funding for mentor training")
    expect(page).to_have_title("Claim funding for mentor training – GOV.UK")
    screens.shot(page, "62-home-finance")

    page.goto("/claims")
    expect(page.locator("h1")).to_have_text("You do not have permission to see this page")
    screens.shot(page, "63-no-permission")

    page.goto("/claims/sampling/no-such-page")
    expect(page.locator("h1")).to_have_text("Page not found")
    screens.shot(page, "64-page-not-found")

    page.goto("/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    screens.shot(page, "65-signed-out")


def test_an_unknown_download_link_and_a_missing_page_are_accessible_when_not_signed_in(system, new_page, screens):
    page = new_page()
    page.goto("/links/sampling-not-a-real-link")
    expect(page.locator("h1")).to_have_text("This link is not valid")
    screens.shot(page, "66-link-unknown")
    page.goto("/no-such-page")
    expect(page.locator("h1")).to_have_text("Page not found")
    screens.shot(page, "67-page-not-found-signed-out")
