"""Schools and trusts claim in the browser (docs/design.md §11), through the real running system with the demo
data: a school claims for two mentors and is refused hours over the allowance, a trust user claims for
a second school and sees the trust's totals, and the invalid-provider round trip with the school's
email caught by a real SMTP server. Every page is screenshotted and checked by ``assert_accessible``."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import choose_from_autocomplete, sign_in
from tests.support.journeys import step

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
    step(page, screens, "school-02-estimate-error", fill={"Number of mentors": "two"}, button="Estimate funding")
    step(page, fill={"Number of mentors": "2", "Hours of training for each mentor": "16"}, button="Estimate funding")
    expect(page.locator("#estimate")).to_contain_text("Estimated funding")
    screens.shot(page, "school-03-estimate")

    page.goto("/school")
    page.get_by_role("button", name="Add claim").click()
    step(page, screens, "school-04-provider-error", button="Continue", error="Select an accredited provider")
    choose_from_autocomplete(page, "Which accredited provider is your claim for?", "Best Practice Network")
    screens.shot(page, "school-05-provider", answered=True)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Which mentors are you claiming for?")).to_be_visible()
    screens.shot(page, "school-06-mentors")
    add_mentor(page, "123", "Ada Lovelace")
    step(page, screens, "school-07-mentors-error", button="Continue", error="TRN")
    add_mentor(page, "9876501", "Ada Lovelace")
    page.get_by_role("button", name="Add another mentor").click()
    add_mentor(page, "9876502", "Grace Hopper")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="How many hours of training did Ada Lovelace complete?")).to_be_visible()
    expect(page.get_by_text("initial training: 16 hours")).to_be_visible()
    screens.shot(page, "school-08-hours")
    page.get_by_role("radio", name="Another amount").check()
    step(page, screens, "school-09-hours-over-allowance", fill={"Number of hours, if another amount": "17"},
         button="Continue", error="between 1 and 16")
    page.get_by_role("radio", name="16 hours").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="Another amount").check()
    step(page, fill={"Number of hours, if another amount": "4"}, button="Continue")

    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    step(page, screens, "school-10-check-answers", main="20 hours")
    page.get_by_role("button", name="Continue").click()
    step(page, screens, "school-11-declaration-error", button="Submit claim",
         error="Confirm that the information is correct")
    step(page, check="I confirm that the information is correct", button="Submit claim", panel="Claim submitted")
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
    step(page, screens, "trust-01-change-organisation-error", button="Continue",
         error="Select the school you are claiming for")
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
    step(page, fill={"Number of hours, if another amount": "3"}, button="Continue")
    page.get_by_role("button", name="Continue").click()
    step(page, check="I confirm that the information is correct", button="Submit claim", panel="Claim submitted")
    reference = re.search(r"\d{8}", page.locator(".govuk-panel").inner_text()).group(0)

    step(page, screens, "trust-03-overview", link="Trust claims", main=("Trust total", reference, school_name))
    page.get_by_label("School").select_option(label=school_name)
    step(page, screens, "trust-04-overview-one-school", button="Apply filters", main=reference)
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
    step(support, screens, "invalid-provider-01-reason", button="Mark provider as invalid")
    step(support, screens, "invalid-provider-02-reason-error", button="Mark provider as invalid", error="Enter why")
    step(support, screens, "invalid-provider-03-support-claim",
         fill={"Why can this accredited provider not be used?": "The provider did not train this mentor"},
         button="Mark provider as invalid", main="The school has been emailed")

    email = system.mailbox.wait_for("office@school1.example", f"Choose another accredited provider for claim {reference}")
    body = email.get_body(preferencelist=("plain",)).get_content()
    assert "The provider did not train this mentor" in body
    link = re.search(r"https?://\S+/school/claims/\d{8}/provider", body).group(0)

    page = new_page()
    sign_in(page, SCHOOL)
    step(page, screens, "invalid-provider-04-school-chooses", goto=link,
         main="The accredited provider you chose cannot be used for this claim")
    choose_from_autocomplete(page, "Which accredited provider did your mentors train with?", second["name"])
    page.get_by_role("button", name="Submit claim again").click()
    expect(page.locator("#status-explanation")).to_contain_text("Submitted: we have your claim")
    step(page, screens, "invalid-provider-05-resubmitted", main=second["name"])
