"""Schools and trusts claim in the browser (docs/design.md §11), through the real running system with the demo
data: a school claims for two mentors and is refused hours over the allowance, a trust user claims for
a second school and sees the trust's totals, and the invalid-provider round trip with the school's
email caught by a real SMTP server. Every page is screenshotted and checked by ``assert_accessible``."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import choose_from_autocomplete, sign_in

SCHOOL, MAT, SUPPORT = "school@example.com", "mat@example.com", "support@example.com"


def add_mentor(page, trn: str, name: str) -> None:
    page.get_by_label("Teacher reference number (TRN)").fill(trn)
    page.get_by_label("Full name").fill(name)


def test_a_school_claims_for_two_mentors_is_refused_too_many_hours_and_sees_the_claim_in_its_list(
        system, new_page, screens):
    page = new_page()
    sign_in(page, SCHOOL)
    expect(page).to_have_url(re.compile(r"/school$"))
    expect(page.get_by_text("You can claim until 31 July 2027")).to_be_visible()
    screens.shot(page, "school-01-home")
    page.get_by_role("link", name="How much funding will we get?").click()
    page.get_by_label("Number of mentors").fill("two")
    page.get_by_role("button", name="Estimate funding").click()
    screens.shot(page, "school-02-estimate-error")
    page.get_by_label("Number of mentors").fill("2")
    page.get_by_label("Hours of training for each mentor").fill("16")
    page.get_by_role("button", name="Estimate funding").click()
    expect(page.locator("#estimate")).to_contain_text("Estimated funding")
    screens.shot(page, "school-03-estimate")

    page.goto("/school")
    page.get_by_role("button", name="Add claim").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select an accredited provider")
    screens.shot(page, "school-04-provider-error")
    choose_from_autocomplete(page, "Which accredited provider is your claim for?", "Best Practice Network")
    screens.shot(page, "school-05-provider", answered=True)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Which mentors are you claiming for?")).to_be_visible()
    screens.shot(page, "school-06-mentors")
    add_mentor(page, "123", "Ada Lovelace")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("TRN")
    screens.shot(page, "school-07-mentors-error")
    add_mentor(page, "9876501", "Ada Lovelace")
    page.get_by_role("button", name="Add another mentor").click()
    add_mentor(page, "9876502", "Grace Hopper")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="How many hours of training did Ada Lovelace complete?")).to_be_visible()
    expect(page.get_by_text("initial training: 16 hours")).to_be_visible()
    screens.shot(page, "school-08-hours")
    page.get_by_role("radio", name="Another amount").check()
    page.get_by_label("Number of hours, if another amount").fill("17")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("between 1 and 16")
    screens.shot(page, "school-09-hours-over-allowance")
    page.get_by_role("radio", name="16 hours").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="Another amount").check()
    page.get_by_label("Number of hours, if another amount").fill("4")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.locator("main")).to_contain_text("20 hours")
    screens.shot(page, "school-10-check-answers")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Submit claim").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that the information is correct")
    screens.shot(page, "school-11-declaration-error")
    page.get_by_label("I confirm that the information is correct").check()
    page.get_by_role("button", name="Submit claim").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Claim submitted")
    reference = re.search(r"\d{8}", page.locator(".govuk-panel").inner_text()).group(0)
    screens.shot(page, "school-12-submitted")

    page.get_by_role("link", name="View your claims").click()
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Draft: you have not submitted this claim yet")  # the demo draft
    screens.shot(page, "school-13-claims-list")
    page.get_by_role("link", name=reference).click()
    expect(page.locator("#status-explanation")).to_contain_text("Submitted: we have your claim")
    expect(page.locator("main")).not_to_contain_text(SUPPORT)
    screens.shot(page, "school-14-claim")


def test_without_javascript_the_provider_question_is_a_select(system, chromium, screens):
    """The autocomplete is an enhancement: with JavaScript off the same page asks with a GOV.UK select.
    (axe-core needs JavaScript, so this page is checked in the journey above, where it is enhanced.)"""
    context = chromium.new_context(base_url=system.url, java_script_enabled=False,
                                   viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        sign_in(page, SCHOOL)
        page.get_by_role("button", name="Add claim").click()
        question = page.get_by_label("Which accredited provider is your claim for?")
        expect(page.locator("select#provider_id")).to_have_count(1)
        expect(page.locator("input#provider_id")).to_have_count(0)
        question.select_option(label="Best Practice Network")
        page.screenshot(path=str(screens.folder / "school-05b-provider-without-javascript.png"), full_page=True)
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Which mentors are you claiming for?")).to_be_visible()
        reference = re.search(r"/school/claims/(\d{8})/", page.url).group(1)
    finally:
        context.close()
    deleted = system.api(SCHOOL).delete(f"/api/v1/claims/{reference}")
    assert deleted.status_code in {200, 204}, deleted.text


def test_a_trust_user_claims_for_a_second_school_and_sees_the_trust_totals(system, new_page, screens):
    page = new_page()
    sign_in(page, MAT)
    expect(page.get_by_role("heading", name="Which organisation are you claiming for?")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the school you are claiming for")
    screens.shot(page, "trust-01-change-organisation-error")
    schools = page.locator("input[name=school_urn]")
    assert schools.count() >= 2
    schools.nth(1).check()
    page.get_by_role("button", name="Continue").click()
    school_name = page.locator("h1").inner_text()
    screens.shot(page, "trust-02-second-school-home")

    page.get_by_role("button", name="Add claim").click()
    choose_from_autocomplete(page, "Which accredited provider is your claim for?", "Best Practice Network")
    page.get_by_role("button", name="Continue").click()
    add_mentor(page, "9876503", "Alan Turing")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="Another amount").check()
    page.get_by_label("Number of hours, if another amount").fill("3")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("I confirm that the information is correct").check()
    page.get_by_role("button", name="Submit claim").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Claim submitted")
    reference = re.search(r"\d{8}", page.locator(".govuk-panel").inner_text()).group(0)

    page.get_by_role("link", name="Trust claims").click()
    expect(page.locator("main")).to_contain_text("Trust total")
    expect(page.locator("main")).to_contain_text(reference)
    expect(page.locator("main")).to_contain_text(school_name)
    screens.shot(page, "trust-03-overview")
    page.get_by_label("School").select_option(label=school_name)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("main")).to_contain_text(reference)
    screens.shot(page, "trust-04-overview-one-school")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these claims (CSV)").click()
    assert reference in download.value.path().read_text(encoding="utf-8-sig")


def test_support_marks_a_provider_invalid_the_school_is_emailed_and_chooses_another(system, new_page, screens):
    school_api = system.api(SCHOOL)
    providers = school_api.get("/api/v1/providers").json()["items"]
    first, second = providers[0], providers[1]
    draft = school_api.post("/api/v1/claims/drafts", json={"school_urn": "100001", "provider_id": first["id"],
                                                           "mentors": [{"trn": "9876504", "full_name": "Mary Somerville",
                                                                        "hours": 5}]}).json()
    reference = draft["reference"]
    assert school_api.post(f"/api/v1/claims/{reference}/submit", json={"declaration": True}).status_code == 200

    support = new_page()
    sign_in(support, SUPPORT)
    support.goto(f"/claims/{reference}")
    support.get_by_role("button", name="Mark provider as invalid").click()
    screens.shot(support, "invalid-provider-01-reason")
    support.get_by_role("button", name="Mark provider as invalid").click()
    expect(support.locator(".govuk-error-summary")).to_contain_text("Enter why")
    screens.shot(support, "invalid-provider-02-reason-error")
    support.get_by_label("Why can this accredited provider not be used?").fill("The provider did not train this mentor")
    support.get_by_role("button", name="Mark provider as invalid").click()
    expect(support.locator("main")).to_contain_text("The school has been emailed")
    screens.shot(support, "invalid-provider-03-support-claim")

    email = system.mailbox.wait_for("office@school1.example", f"Choose another accredited provider for claim {reference}")
    body = email.get_body(preferencelist=("plain",)).get_content()
    assert "The provider did not train this mentor" in body
    link = re.search(r"https?://\S+/school/claims/\d{8}/provider", body).group(0)

    page = new_page()
    sign_in(page, SCHOOL)
    page.goto(link)
    expect(page.locator("main")).to_contain_text("The accredited provider you chose cannot be used for this claim")
    screens.shot(page, "invalid-provider-04-school-chooses")
    choose_from_autocomplete(page, "Which accredited provider did your mentors train with?", second["name"])
    page.get_by_role("button", name="Submit claim again").click()
    expect(page.locator("#status-explanation")).to_contain_text("Submitted: we have your claim")
    expect(page.locator("main")).to_contain_text(second["name"])
    screens.shot(page, "invalid-provider-05-resubmitted")
