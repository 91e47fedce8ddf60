"""Support runs users from the pages (docs/design.md §14): list, add (errors, role-dependent
fields), the invitation email through notify and the real SMTP server, Create your password, a
used link, invite again, deactivate with confirmation, import users. A screenshot of every page."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import sign_in

NEW_PASSWORD = "a long enough passphrase"


def _invitation_link(system, to: str) -> str:
    message = system.mailbox.wait_for(to, subject_contains="Create your password")
    body = message.get_body(preferencelist=("plain", "html")).get_content()
    return re.search(r"https?://\S+/invitations/[A-Za-z0-9_\-]+", body).group(0)


def test_support_adds_a_user_who_creates_their_password_and_is_later_deactivated(system, new_page, screens):
    page = new_page()
    sign_in(page, "support@example.com")
    page.get_by_role("link", name="Users", exact=True).click()
    expect(page.locator("h1")).to_have_text("Users")
    screens.shot(page, "users-01-list")

    page.get_by_role("button", name="Add a user").click()
    expect(page.locator("h1")).to_have_text("Add a user")
    screens.shot(page, "users-02-add")
    page.get_by_label("School", exact=True).check()
    page.get_by_role("button", name="Add user and send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an email address")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the school’s URN")
    screens.shot(page, "users-03-add-errors")
    page.get_by_label("Email address").fill("invited.head@school.example")
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("School URN").fill("100001")
    page.get_by_role("button", name="Add user and send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("we have emailed them an invitation")
    expect(page.locator("h1")).to_have_text("Grace Hopper")
    screens.shot(page, "users-04-user-page")
    user_url = page.url

    # the invitation, sent through notify and the SMTP server
    link = _invitation_link(system, "invited.head@school.example")
    invited = new_page()
    invited.goto(link)
    expect(invited.locator("h1")).to_have_text("Create your password")
    screens.shot(invited, "users-05-create-password")
    invited.get_by_label("Password", exact=True).fill("too short")
    invited.get_by_label("Confirm your password").fill("too short")
    invited.get_by_role("button", name="Create password").click()
    expect(invited.locator(".govuk-error-summary")).to_contain_text("Password must be 12 characters or more")
    screens.shot(invited, "users-06-create-password-errors")
    invited.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    invited.get_by_label("Confirm your password").fill(NEW_PASSWORD)
    invited.get_by_role("button", name="Create password").click()
    expect(invited.locator("h1")).to_have_text("Your password has been created")
    screens.shot(invited, "users-07-password-created")
    invited.goto(link)
    expect(invited.locator("h1")).to_have_text("This link has already been used")
    screens.shot(invited, "users-08-link-used")
    invited.goto("/sign-in")
    invited.get_by_label("Email address", exact=True).fill("invited.head@school.example")
    invited.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    invited.get_by_role("button", name="Sign in", exact=True).click()
    # a school user lands on the school service's home, headed with the school's name
    expect(invited).to_have_url(re.compile(r"/school$"))
    expect(invited.get_by_role("button", name="Sign out")).to_be_visible()

    # deactivate, with a confirmation: the open session ends at once
    page.goto(user_url)
    page.get_by_role("button", name="Deactivate user").click()
    expect(page.locator("h1")).to_have_text("Are you sure you want to deactivate invited.head@school.example?")
    screens.shot(page, "users-09-deactivate-confirm")
    page.get_by_role("button", name="Deactivate user").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("User deactivated")
    screens.shot(page, "users-10-deactivated")
    invited.goto("/claims")
    expect(invited.locator("h1")).to_contain_text("Sign in")


def test_support_imports_users_from_a_csv_file(system, new_page, screens, tmp_path):
    page = new_page()
    sign_in(page, "support@example.com")
    page.goto("/users/import")
    expect(page.locator("h1")).to_have_text("Import users")
    screens.shot(page, "users-11-import")
    bad = tmp_path / "bad-users.csv"
    bad.write_text("email,first_name,last_name,role\nnot-an-email,,Smith,finance\n")
    page.get_by_label("Upload a CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload file").click()
    expect(page.locator(".govuk-table")).to_contain_text("Enter a first name")
    screens.shot(page, "users-12-import-errors")
    good = tmp_path / "users.csv"
    good.write_text("email,first_name,last_name,role\nauditor.one@example.com,Ann,Auditor,finance\n"
                    "helper.two@example.com,Hal,Helper,support\n")
    page.get_by_label("Upload a CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Upload file").click()
    expect(page.locator("h1")).to_have_text("Check the users")
    screens.shot(page, "users-13-import-review")
    page.get_by_role("button", name="Confirm and send invitations").click()
    expect(page.locator(".govuk-panel")).to_contain_text("2 users invited")
    screens.shot(page, "users-14-import-done")
    assert _invitation_link(system, "helper.two@example.com")
    page.goto("/users?q=auditor.one")
    expect(page.locator(".govuk-table")).to_contain_text("auditor.one@example.com")
