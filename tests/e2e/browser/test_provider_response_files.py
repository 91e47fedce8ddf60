"""Provider response files in the browser (docs/design.md §12 "Provider response files"), with a
screenshot and axe-core check of every page: support uploads two provider files at once, one wrong
→ refused whole with every error in the error summary; then both right → confirmed, each
provider's part linked from its activity entry. A provider user uploads its own response: another
provider's claim is refused as unknown; its own claim is confirmed."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_money_journey_over_smtp import wait_status
from tests.support.browser import sign_in
from tests.support.journeys import step
from tests.support.provider_responses import answers, provider_user, providers, sampled_claims


def _choose(page, *files: tuple[str, str]) -> None:
    page.get_by_label("Upload CSV file").set_input_files(
        [{"name": name, "mimeType": "text/csv", "buffer": content.encode()} for name, content in files])
    page.locator("#upload-button").click()
    page.wait_for_load_state("load")


def test_support_uploads_two_provider_files_at_once_all_or_nothing(system, new_page, screens):
    first, second = providers(system)
    a, b = sampled_claims(system, [(first, [("Hedy Lamarr", 3)]), (second, [("Ida Rhodes", 4)])])
    support = system.api("support@example.com")
    page = new_page()
    sign_in(page, "support@example.com")
    step(page, goto="/claims/sampling/response", h1="Upload provider response")
    expect(page.locator("#file")).to_have_attribute("multiple", "")
    screens.shot(page, "provider-files-01-upload-several")

    good = ("first-provider.csv", answers((a["reference"], "Hedy Lamarr", "yes", "")))
    bad = ("second-provider.csv", answers((b["reference"], "Ida Rhodes", "no", ""),
                                          ("99999999", "Nobody", "maybe", "")))
    _choose(page, good, bad)
    expect(page.locator("h1")).to_have_text("The selected files have errors")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("second-provider.csv, row 2: Enter a reason")
    expect(summary).to_contain_text("second-provider.csv, row 3: Enter a valid claim reference")
    expect(summary).to_contain_text("second-provider.csv, row 3: Enter a valid input")
    expect(page.locator("#file-1-errors h2")).to_have_text("second-provider.csv")
    screens.shot(page, "provider-files-02-one-file-wrong")
    assert support.get(f"/api/v1/claims/{a['reference']}").json()["status"] == "sampling_in_progress"

    page.goto("/claims/sampling/response")
    fixed = ("second-provider.csv", answers((b["reference"], "Ida Rhodes", "no", "claimed_elsewhere: claim 1234")))
    _choose(page, good, fixed)
    step(page, screens, "provider-files-03-review-both", h1="Are you sure you want to upload the provider response?",
         summary=("first-provider.csv, second-provider.csv", "2"))
    step(page, screens, "provider-files-04-confirmed", button="Confirm upload", panel="Provider response uploaded")
    wait_status(support, a["reference"], "paid")
    detail = wait_status(support, b["reference"], "sampling_provider_not_approved")
    assert detail["provider_comment"] == "Ida Rhodes: claimed_elsewhere: claim 1234"

    # Each provider's activity entry links its own file, which support downloads.
    page.goto("/activity")
    link = page.get_by_role("link", name="Download second-provider.csv").first
    expect(link).to_be_visible()
    screens.shot(page, "provider-files-05-activity-links")
    with page.expect_download() as download:
        link.click()
    assert open(download.value.path(), encoding="utf-8").read() == fixed[1]


def test_a_provider_uploads_its_response_in_its_own_account(system, new_page, screens):
    first, second = providers(system)
    mine, theirs = sampled_claims(system, [(first, [("Mary Jackson", 5)]), (second, [("Annie Easley", 2)])])
    email, _ = provider_user(system, first["id"])
    page = new_page()
    sign_in(page, email)
    step(page, goto="/provider/responses/upload", h1="Upload your response")
    expect(page.get_by_role("link", name="Upload your response")).to_have_attribute("aria-current", "true")
    screens.shot(page, "provider-response-01-upload")

    page.locator("#upload-button").click()
    step(page, screens, "provider-response-02-no-file", error="Select a CSV file to upload")

    _choose(page, ("ours.csv", answers((mine["reference"], "Mary Jackson", "yes", ""),
                                       (theirs["reference"], "Annie Easley", "yes", ""))))
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    step(page, screens, "provider-response-03-another-providers-claim", table="Enter a valid claim reference")

    page.goto("/provider/responses/upload")
    _choose(page, ("ours.csv", answers((mine["reference"], "Mary Jackson", "yes", ""))))
    expect(page.locator("h1")).to_have_text("Are you sure you want to upload your response?")
    step(page, screens, "provider-response-04-cancelled", button="Cancel", banner="Your upload was cancelled")

    _choose(page, ("ours.csv", answers((mine["reference"], "Mary Jackson", "no", "hours_not_completed: 3 of 5"))))
    step(page, screens, "provider-response-05-review", h1="Are you sure you want to upload your response?")
    step(page, screens, "provider-response-06-done", button="Confirm upload", panel="Response uploaded")
    support = system.api("support@example.com")
    detail = wait_status(support, mine["reference"], "sampling_provider_not_approved")
    assert detail["provider_comment"] == "Mary Jackson: hours_not_completed: 3 of 5"

    # The per-provider files are support's alone.
    r = page.request.get("/claims/sampling/response-files/anything")
    assert r.status == 403
