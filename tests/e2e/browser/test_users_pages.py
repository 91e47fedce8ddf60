"""Support runs users from the pages (docs/design.md §14): list, add (errors, role-dependent
fields), the invitation email through notify and the real SMTP server, Create your password, a
used link, invite again, deactivate with confirmation, import users. A screenshot of every page."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import sign_in
from tests.support.journeys import step

NEW_PASSWORD = "a long enough passphrase"


def _invitation_link(system, to: str) -> str:
    message = system.mailbox.wait_for(to, subject_contains="Create your password")
    body = message.get_body(preferencelist=("plain", "html")).get_content()
    return re.search(r"https?://\S+/invitations/[A-Za-z0-9_\-]+", body).group(0)


def test_support_adds_a_user_who_creates_their_password_and_is_later_deactivated(system, new_page, screens):
    page = new_page()
    sign_in(page, "support@example.com")
    step(page, screens, "users-01-list", link="Users", h1="Users")

    step(page, screens, "users-02-add", button="Add a user", h1="Add a user")
    step(page, screens, "users-03-add-errors", check="School", exact=True, button="Add user and send invitation",
         error=("Enter an email address", "Enter the school’s URN"))
    step(page, screens, "users-04-user-page",
         fill={"Email address": "invited.head@school.example", "First name": "Grace", "Last name": "Hopper",
               "School URN": "100001"},
         button="Add user and send invitation", banner="we have emailed them an invitation", h1="Grace Hopper")
    user_url = page.url

    # the invitation, sent through notify and the SMTP server
    link = _invitation_link(system, "invited.head@school.example")
    invited = new_page()
    step(invited, screens, "users-05-create-password", goto=link, h1="Create your password")
    step(invited, screens, "users-06-create-password-errors",
         fill={"Password": "too short", "Confirm your password": "too short"}, exact=("Password",),
         button="Create password", error="Password must be 12 characters or more")
    step(invited, screens, "users-07-password-created",
         fill={"Password": NEW_PASSWORD, "Confirm your password": NEW_PASSWORD}, exact=("Password",),
         button="Create password", h1="Your password has been created")
    step(invited, screens, "users-08-link-used", goto=link, h1="This link has already been used")
    invited.goto("/sign-in")
    invited.get_by_label("Email address", exact=True).fill("invited.head@school.example")
    invited.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    invited.get_by_role("button", name="Sign in", exact=True).click()
    # a school user lands on the school service's home, headed with the school's name
    expect(invited).to_have_url(re.compile(r"/school$"))
    expect(invited.get_by_role("button", name="Sign out")).to_be_visible()

    # deactivate, with a confirmation: the open session ends at once
    page.goto(user_url)
    step(page, screens, "users-09-deactivate-confirm", button="Deactivate user",
         h1="Are you sure you want to deactivate invited.head@school.example?")
    step(page, screens, "users-10-deactivated", button="Deactivate user", banner="User deactivated")
    invited.goto("/claims")
    expect(invited.locator("h1")).to_contain_text("Sign in")


def test_support_imports_users_from_a_csv_file(system, new_page, screens, tmp_path):
    page = new_page()
    sign_in(page, "support@example.com")
    step(page, screens, "users-11-import", goto="/users/import", h1="Import users")
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
    step(page, screens, "users-13-import-review", button="Upload file", h1="Check the users")
    step(page, screens, "users-14-import-done", button="Confirm and send invitations", panel="2 users invited")
    assert _invitation_link(system, "helper.two@example.com")
    page.goto("/users?q=auditor.one")
    expect(page.locator(".govuk-table")).to_contain_text("auditor.one@example.com")
