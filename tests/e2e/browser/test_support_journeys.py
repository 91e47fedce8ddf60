"""The support user's journeys through the real running system, in a browser: sampling (a refused
file, then a good one → review → confirm → "Sampling in progress"), the provider's answers (the
link from the email → download → fill in → upload → Paid / Provider not approved → reject), a
clawback with four eyes (the requester's own approval is refused; a second support user
approves), sending to the payer and the payer's answers. Each screen is screenshotted and checked
by ``assert_accessible`` (axe-core's WCAG 2.2 AA rules, labels, headings, the title, error summary
focus), and so is every other page a journey stops on (banners, each status a claim reaches).

The tests share one system and run in order: the provider response uses the claims sampled by the
first journey's API twin, and the clawback the claim support rejected."""
from __future__ import annotations

import csv
import io
import time

import pytest
from playwright.sync_api import expect

from tests.support.browser import assert_accessible, links_in, sign_in, upload, wait_api_status, wait_for_status
from tests.support.journeys import step

STATE: dict = {}


def paid_claims(api, count: int, *, exclude: set[str] = frozenset()) -> list[dict]:
    found = api.get("/api/v1/claims", params={"status": "paid", "per_page": 100, "sort": "reference"}).json()["items"]
    found = [c for c in found if c["reference"] not in exclude and c["reference"] not in STATE.get("used", set())]
    assert len(found) >= count, "the demo data has too few paid claims"
    STATE.setdefault("used", set()).update(c["reference"] for c in found[:count])
    return found[:count]


def sample_csv(claims: list[dict]) -> bytes:
    lines = ["claim_reference_number,claim_sample_reason"] + [f"{c['reference']},Random sample" for c in claims]
    return ("\n".join(lines) + "\n").encode()


def test_sampling_journey_from_a_refused_file_to_sampling_in_progress(system, new_page, screens):
    api = system.api("support@example.com")
    page = new_page()
    sign_in(page, "support@example.com", screens)
    step(page, screens, "02-claims-list", h1="Claims")

    # The Sampling sub-section is highlighted in the claims navigation.
    step(page, link="Sampling", h1="Sampling")
    expect(page.locator(".app-secondary-navigation__item--active")).to_have_text("Sampling")
    screens.shot(page, "03-sampling-list")

    step(page, button="Upload claims to be sampled", h1="Upload claims to be sampled")
    page.get_by_text("Help with the CSV file").click()
    for header in ("claim_reference_number", "claim_sample_reason", "claim_window_id"):
        expect(page.locator(".govuk-details")).to_contain_text(header)
    screens.shot(page, "04-sampling-upload")

    # No file: the error summary takes the focus and links to the field.
    page.locator("#upload-button").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a CSV file to upload")
    expect(page.locator("#file-error")).to_contain_text("Select a CSV file to upload")
    screens.shot(page, "05-sampling-upload-no-file")
    page.locator(".govuk-error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "file"

    # Not a CSV.
    upload(page, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), name="picture.csv")
    step(page, screens, "06-sampling-upload-not-a-csv", error="The selected file must be a CSV")

    # Missing headers.
    upload(page, b"reference,why\n12345678,x\n")
    step(page, screens, "07-sampling-upload-missing-headers", error="Your file needs a column called")

    # Row errors: a table of every failing row.
    upload(page, b"claim_reference_number,claim_sample_reason\n99999999,Random\nabc,\n")
    step(page, h1="The selected file has errors", table="Enter a valid claim reference")
    assert page.locator("table tbody tr").count() >= 2
    screens.shot(page, "08-sampling-upload-row-errors")

    # A good file: paid claims found through the API.
    claims = paid_claims(api, 2)
    page.goto("/claims/sampling/upload")
    upload(page, sample_csv(claims))
    step(page, h1="Are you sure you want to upload the sampling data?", summary="2")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "Each accredited provider included in the sample data will receive an email instructing them to assure "
        "their partner schools’ claim.")
    screens.shot(page, "09-sampling-review")
    step(page, screens, "10-sampling-success", button="Confirm upload", panel="Sampling data uploaded")

    wait_for_status(page, claims[0]["reference"], "Sampling in progress")
    expect(page.locator("h2", has_text="Sampling in progress")).to_be_visible()
    screens.shot(page, "11-claim-sampling-in-progress")

    # Cancelling an upload changes nothing.
    other = paid_claims(api, 1)
    page.goto("/claims/sampling/upload")
    upload(page, sample_csv(other))
    step(page, button="Cancel", banner="cancelled")
    assert_accessible(page, "sampling upload cancelled")
    assert api.get(f"/api/v1/claims/{other[0]['reference']}").json()["status"] == "paid"
    STATE["used"].discard(other[0]["reference"])


def _provider_file(system, api, claims: list[dict], page, screens) -> list[dict]:
    """The provider's CSV rows, downloaded through the link in each provider's email."""
    rows: list[dict] = []
    providers = {c["provider"]["id"] for c in claims}
    emails = {p["id"]: p["email_addresses"] for p in api.get("/api/v1/providers").json()["items"]
              if p["id"] in providers}
    first = True
    for provider_id, addresses in emails.items():
        assert addresses, f"provider {provider_id} has no email address"
        deadline = time.monotonic() + 30
        while True:
            items = api.get("/api/v1/notifications", params={"recipient": addresses[0]}).json()["items"]
            links = [link for item in items for link in links_in(item.get("body") or "")]
            if links:
                break
            assert time.monotonic() < deadline, f"no email with a link to {addresses[0]}"
            time.sleep(0.5)
        path = "/links/" + links[0].rsplit("/links/", 1)[1]
        step(page, goto=path, h1="Download your file")
        if first:
            screens.shot(page, "12-link-download-page")
        with page.expect_download() as download:
            page.get_by_role("button", name="Download CSV file").click()
        text = open(download.value.path(), encoding="utf-8-sig").read()
        rows += list(csv.DictReader(io.StringIO(text)))
        page.goto(path + "?download=1")   # the one download is used up
        expect(page.locator("h1")).to_have_text("This link has already been used")
        if first:
            screens.shot(page, "13-link-expired")
        first = False
    return rows


def test_provider_response_journey_paid_and_provider_not_approved(system, new_page, screens):
    api = system.api("support@example.com")
    claims = paid_claims(api, 2)
    created = api.post("/api/v1/sampling/uploads", files={"file": ("s.csv", sample_csv(claims), "text/csv")})
    assert created.status_code == 201, created.text
    assert created.json()["claim_count"] == 2
    confirmed = api.post(f"/api/v1/sampling/uploads/{created.json()['upload_id']}/confirm")
    assert confirmed.status_code == 202, confirmed.text
    for c in claims:
        wait_api_status(api, c["reference"], "sampling_in_progress")

    page = new_page()
    sign_in(page, "support@example.com")
    rows = _provider_file(system, api, claims, page, screens)
    assured, not_assured = claims[0]["reference"], claims[1]["reference"]
    ours = [r for r in rows if r["claim_reference"] in (assured, not_assured)]
    assert {r["claim_reference"] for r in ours} == {assured, not_assured}
    for r in ours:
        if r["claim_reference"] == assured:
            r["claim_assured"], r["claim_not_assured_reason"] = "Yes", ""
        else:
            r["claim_assured"], r["claim_not_assured_reason"] = "no", "The mentor did not attend the training"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()))
    writer.writeheader()
    writer.writerows(ours)

    page.goto("/claims/sampling")
    step(page, screens, "14-provider-response-upload", button="Upload provider response", h1="Upload provider response")
    bad = "claim_reference,claim_assured\n" + f"{assured},maybe\n"
    upload(page, bad.encode())
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    screens.shot(page, "15-provider-response-errors")
    page.goto("/claims/sampling/response")
    upload(page, out.getvalue().encode())
    step(page, screens, "16-provider-response-review", h1="Are you sure you want to upload the provider response?")
    step(page, screens, "17-provider-response-success", button="Confirm upload", panel="Provider response uploaded")

    wait_for_status(page, assured, "Paid")
    wait_for_status(page, not_assured, "Provider not approved")
    expect(page.locator("h2", has_text="Provider did not approve the claim")).to_be_visible()
    step(page, screens, "18-claim-provider-not-approved", inset="The mentor did not attend the training")

    step(page, screens, "19-approve-claim", button="Approve claim", h1="Are you sure you want to approve the claim?")
    page.goto(f"/claims/{not_assured}/sampling/reject")
    step(page, screens, "20-reject-claim-no-reason", button="Reject claim",
         error="Select a reason for rejecting the claim")
    page.get_by_label("Other", exact=True).check()
    step(page, fill={"Details": "The school could not show the mentor attended"}, button="Reject claim",
         banner="Claim rejected")
    assert_accessible(page, "claim rejected banner")
    wait_for_status(page, not_assured, "Claim not approved")
    screens.shot(page, "21-claim-not-approved")
    STATE["rejected"] = not_assured


def test_clawback_needs_a_second_support_user(system, new_page, screens):
    reference = STATE.get("rejected")
    if not reference:
        pytest.skip("needs the claim rejected by the provider response journey")
    api = system.api("support@example.com")
    page = new_page()
    sign_in(page, "support@example.com")
    step(page, screens, "22-clawbacks-section", goto="/claims/clawbacks", h1="Clawbacks")
    page.goto(f"/claims/{reference}")
    step(page, screens, "23-clawback-request", button="Request clawback", h1="Request a clawback")
    step(page, screens, "24-clawback-request-errors", button="Continue", error="Enter the number of hours")

    view = api.get(f"/api/v1/claims/{reference}/clawback").json()
    to_enter = [m for m in view["mentors"] if m["to_enter"]]
    assert to_enter
    for m in to_enter:
        page.locator(f"#hours_worked-{m['trn']}").fill(str(max(0, m["hours"] - 1)))
        page.locator(f"#notes-{m['trn']}").fill("Attended all but one session")
    step(page, button="Continue", h1="Check your answers before requesting the clawback")
    rate = view["hourly_rate"]
    step(page, screens, "25-clawback-check-answers",
         main=("Hourly rate", f"£{float(rate):,.2f}", "Total clawback amount"))
    step(page, button="Request clawback", banner="Clawback requested")
    assert_accessible(page, "clawback requested banner")
    wait_for_status(page, reference, "Clawback awaiting approval")

    # The requester cannot approve their own request: the service's message is shown.
    step(page, screens, "26-clawback-approval", goto=f"/claims/{reference}/clawback/review", h1="Approve the clawback")
    page.get_by_role("button", name="Approve clawback").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    screens.shot(page, "27-clawback-own-approval-refused")
    assert api.get(f"/api/v1/claims/{reference}").json()["status"] == "clawback_requires_approval"

    second = new_page()
    sign_in(second, "support2@example.com")
    step(second, screens, "28-clawback-reject", goto=f"/claims/{reference}/clawback/reject", h1="Reject the clawback")
    second.goto(f"/claims/{reference}/clawback/review")
    step(second, button="Approve clawback", banner="Clawback approved")
    assert_accessible(second, "clawback approved banner")
    wait_for_status(second, reference, "Clawback requested")

    second.goto("/claims/clawbacks")
    step(second, screens, "29-clawbacks-send", button="Send clawbacks to payer",
         h1="Are you sure you want to send the clawbacks to the payer?")
    step(second, screens, "30-clawbacks-sent", button="Send clawbacks to payer", panel="Clawbacks sent to the payer")
    wait_for_status(second, reference, "Clawback in progress")

    step(second, screens, "31-clawback-response-upload", goto="/claims/clawbacks/response")
    upload(second, f"claim_reference,claim_status\n{reference},clawback_complete\n".encode())
    expect(second.locator("h1")).to_have_text("Are you sure you want to upload the payer clawback response?")
    step(second, button="Confirm upload", panel="Payer clawback response uploaded")
    wait_for_status(second, reference, "Clawback complete")
    screens.shot(second, "32-claim-clawback-complete")


def test_send_to_payer_payer_response_and_manual_actions(system, new_page, screens):
    api = system.api("support@example.com")
    ready = api.get("/api/v1/payments/ready").json()["items"]
    assert ready, "the demo data has no submitted claims"
    window = max(ready, key=lambda w: w["claim_count"])
    page = new_page()
    sign_in(page, "support@example.com")
    step(page, screens, "33-payments-section", goto="/claims/payments", h1="Payments")
    step(page, screens, "34-payments-send-confirm",
         goto=f"/claims/payments/send?claim_window_id={window['claim_window_id']}",
         h1="Are you sure you want to send the claims to the payer?")
    step(page, screens, "35-payments-sent", button="Send claims to payer", panel="Claims sent to the payer")
    references = [a.inner_text() for a in page.locator("table tbody tr td:first-child a").all()]
    assert len(references) == window["claim_count"]
    page.goto(page.url.split("?")[0])   # the batch page on its own, as the payments section links it
    expect(page.locator("h1")).to_contain_text("Payment of")
    assert_accessible(page, "payment batch")
    for ref in references[:2]:
        wait_api_status(api, ref, "payment_in_progress")

    step(page, screens, "36-payer-response-upload", goto="/claims/payments/response")
    paid, unpaid = references[0], references[1]
    upload(page, (f"claim_reference,claim_status,claim_unpaid_reason\n{paid},paid,\n"
                  f"{unpaid},unpaid,School bank details are missing\n").encode())
    step(page, screens, "37-payer-response-review", h1="Are you sure you want to upload the payer response?")
    step(page, screens, "38-payer-response-success", button="Confirm upload", panel="Payer response uploaded")
    wait_for_status(page, paid, "Paid")
    wait_for_status(page, unpaid, "Payer needs information")
    expect(page.locator("#payer-actions")).to_be_visible()
    screens.shot(page, "39-claim-payer-needs-information")
    step(page, button="Information sent to payer", banner="information was sent")
    assert_accessible(page, "information sent banner")
    wait_for_status(page, unpaid, "Information sent to payer")
    step(page, screens, "40-payer-reject", button="Payer rejected the claim")
    step(page, fill={"Why did the payer reject this claim?": "The school is not eligible"}, button="Reject claim")
    wait_for_status(page, unpaid, "Rejected by payer")


def test_activity_log_and_notifications_pages(system, new_page, screens):
    page = new_page()
    sign_in(page, "support@example.com")
    step(page, screens, "41-activity-log", goto="/activity", h1="Activity log")
    step(page, screens, "42-notifications", goto="/notifications", h1="Notifications")
