"""Accredited providers assure claims in their own accounts (docs/design.md §12), in the browser,
through the running system: support invites a provider user → the invitation email (real SMTP) →
Create your password → sign in as the provider → its claims (only its own: list, claim page, CSV,
answer) → one claim assured Yes, one No (two mentors: one removed, one changed, with reasons) →
support records a third provider's answer by hand and approves a fourth still in sampling → support
sees the answer, rejects the claim with a structured reason → the clawback form proposes the
provider's confirmed hours.

The test makes its own provider and its own sampled claims (submitted, paid through the payer round
trip and sampled by an upload naming exactly them); it never samples the demo's claims."""
from __future__ import annotations

import csv
import io
import random
import re
import time

import httpx
from playwright.sync_api import expect

from tests.support.browser import assert_accessible, sign_in, wait_for_status
from tests.support.journeys import step

from ..test_money_journey_over_smtp import upload_and_confirm, wait_status

PASSWORD = "a long provider password 2026"


def _paid_and_sampled_claims(system) -> tuple[dict, dict[str, dict]]:
    """A new accredited provider with four claims of the demo school in sampling_in_progress."""
    support = system.api("support@example.com")
    school = system.api("school@example.com")
    code = f"AP{random.randrange(10**5, 10**6)}"
    r = support.post("/api/v1/providers", json={"name": f"Assurance Partnership {code}", "code": code,
                                                 "email_addresses": [f"audit@{code.lower()}.example"]})
    assert r.status_code == 201, r.text
    provider = r.json()
    claims = {}
    for name, mentors in (("yes", [("Ada Lovelace", 6)]), ("no", [("Mary Somerville", 5), ("Caroline Herschel", 4)]),
                          ("by-support", [("Emmy Noether", 3)]), ("approved", [("Sophie Germain", 2)])):
        r = school.post("/api/v1/claims", json={"school_urn": "100001", "provider_id": provider["id"], "mentors": [
            {"trn": f"{random.randrange(10**6, 10**7)}", "full_name": n, "hours": h} for n, h in mentors]})
        assert r.status_code == 201, r.text
        claims[name] = r.json()
    refs = [c["reference"] for c in claims.values()]
    deadline = time.monotonic() + 30
    while not set(refs) <= {i["reference"] for i in support.get("/api/v1/payments/claims", params={
            "status": "submitted", "per_page": 500}).json()["items"]}:
        assert time.monotonic() < deadline, "payments never learnt of the claims"
        time.sleep(0.3)
    sent = support.post("/api/v1/payments", json={"claim_window_id": claims["yes"]["claim_window_id"]})
    assert sent.status_code in {201, 202}, sent.text
    for ref in refs:
        wait_status(support, ref, "payment_in_progress")
    upload_and_confirm(support, "/api/v1/payments/responses", "claim_reference,claim_status,claim_unpaid_reason\n"
                       + "".join(f"{ref},Paid,\n" for ref in refs))
    for ref in refs:
        wait_status(support, ref, "paid")
    upload_and_confirm(support, "/api/v1/sampling/uploads", "claim_reference_number,claim_sample_reason\n"
                       + "".join(f"{ref},Random sample\n" for ref in refs))
    for ref in refs:
        wait_status(support, ref, "sampling_in_progress")
    return provider, claims


def _invitation_link(system, to: str) -> str:
    message = system.mailbox.wait_for(to, subject_contains="Create your password")
    body = message.get_body(preferencelist=("plain", "html")).get_content()
    return re.search(r"https?://\S+/invitations/[A-Za-z0-9_\-]+", body).group(0)


def _wait_for_provider_list(page, reference: str, label: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        page.goto("/provider/claims")
        row = page.locator("tr", has_text=reference)
        if label in row.inner_text():
            return
        assert time.monotonic() < deadline, f"{reference} is not ‘{label}’: {row.inner_text()}"
        time.sleep(0.5)


def test_a_provider_assures_its_claims_in_its_account_and_support_claws_back_the_hours_it_confirmed(
        system, new_page, screens):
    provider, claims = _paid_and_sampled_claims(system)
    yes, no, by_support, approved = (claims[k]["reference"] for k in ("yes", "no", "by-support", "approved"))
    email = f"auditor@{provider['code'].lower()}.example"

    # Support invites a user of the new provider.
    support = new_page()
    sign_in(support, "support@example.com")
    support.goto("/users/new")
    support.get_by_label("Email address").fill(email)
    support.get_by_label("First name").fill("Ida")
    support.get_by_label("Last name").fill("Auditor")
    support.get_by_label("Accredited provider", exact=True).check()
    support.get_by_label(f"{provider['name']} ({provider['code']})").check()
    screens.shot(support, "provider-01-invite")
    step(support, button="Add user and send invitation", banner="we have emailed them an invitation")

    # The invitation → Create your password → sign in: the provider's claims are its home.
    page = new_page()
    step(page, goto=_invitation_link(system, email), h1="Create your password")
    step(page, fill={"Password": PASSWORD, "Confirm your password": PASSWORD}, exact=("Password",),
         button="Create password", h1="Your password has been created")
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/provider/claims$"))
    expect(page.locator("h1")).to_have_text("Claims")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(4)
    for ref in (yes, no, by_support, approved):
        expect(page.locator("tr", has_text=ref)).to_contain_text("Audit requested")
        expect(page.locator("tr", has_text=ref)).to_contain_text("days left")
    screens.shot(page, "provider-02-claims")
    page.get_by_label("Status").select_option("paid")
    step(page, screens, "provider-03-claims-filtered", button="Apply filters",
         main="There are no claims that match these filters")
    page.goto("/provider/claims")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows_csv = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert {r["claim_reference"] for r in rows_csv} == {yes, no, by_support, approved} and len(rows_csv) == 5

    # Never another provider's claim: page, API list, CSV, claim and answer.
    api = httpx.Client(base_url=system.url, timeout=30, headers={"Authorization": "Bearer " + httpx.post(
        f"{system.url}/api/v1/auth/token", json={"email": email, "password": PASSWORD}).json()["access_token"]})
    others = system.api("support@example.com").get("/api/v1/claims", params={"per_page": 5}).json()["items"]
    foreign = next(c["reference"] for c in others if c["provider"]["id"] != provider["id"])
    step(page, goto=f"/provider/claims/{foreign}", h1="Page not found")
    assert api.get("/api/v1/provider/claims").json()["total"] == 4
    assert foreign not in api.get("/api/v1/provider/claims.csv").text
    assert api.get(f"/api/v1/provider/claims/{foreign}").status_code == 404
    assert api.post(f"/api/v1/claims/{foreign}/assurance", json={"assured": True}).status_code == 404
    assert api.get("/api/v1/claims").status_code == 403  # support's search is not the provider's

    # Yes: the claim is assured.
    page.goto("/provider/claims")
    step(page, screens, "provider-04-claim", link=yes, h1=f"Claim {yes}")
    step(page, button="Assure this claim", h1="Is the information in this claim correct?")
    step(page, screens, "provider-05-is-correct-error", button="Continue",
         error="Select yes if the information in this claim is correct")
    step(page, screens, "provider-06-check-yes", check="Yes", exact=True, button="Continue", h1="Check your answers")
    step(page, screens, "provider-07-assured", button="Submit", panel="Claim assured")

    # No: two mentors, one removed, one changed, each with a reason.
    page.goto(f"/provider/claims/{no}/assure")
    step(page, check="No", exact=True, button="Continue", h1="Which mentors’ training is not correct?")
    step(page, screens, "provider-08-mentors-error", button="Continue",
         error="Select the mentors whose training is not correct")
    step(page, check=("Mary Somerville", "Caroline Herschel"), button="Continue",
         h1="What is wrong with Caroline Herschel’s training?")
    step(page, screens, "provider-09-mentor-errors", button="Continue",
         error=("Select whether to remove all of Caroline Herschel’s hours", "Select a reason for Caroline Herschel"))
    step(page, check=("Remove all hours", "The provider has no record of this mentor"), button="Continue",
         h1="What is wrong with Mary Somerville’s training?")
    page.get_by_label("Change the hours").check()
    step(page, screens, "provider-11-mentor-change-errors",
         fill={"How many hours of training did Mary Somerville do?": "5"}, check="Other", exact=("Other",),
         button="Continue", error=("from 0 to 4 (they claimed 5)", "Enter details of the reason for Mary Somerville"))
    page.get_by_label("How many hours of training did Mary Somerville do?").fill("3")
    page.get_by_label("The mentor did not complete the hours claimed").check()
    step(page, screens, "provider-12-check-no", fill={"Details": "Attended 3 of the 5 sessions"}, button="Continue",
         h1="Check your answers", main=("Remove all hours", "3 hours"))
    step(page, screens, "provider-13-answer-sent", button="Submit", panel="Your answer has been sent")
    again = api.post(f"/api/v1/claims/{yes}/assurance", json={"assured": False, "mentors": []})
    assert again.status_code == 422 and "has already been answered" in again.json()["errors"][0]["message"]
    page.goto(f"/provider/claims/{yes}/assure")  # answered: its page, not the questions again
    step(page, h1=f"Claim {yes}", main="You confirmed the information in this claim is correct")
    _wait_for_provider_list(page, yes, "Approved")
    _wait_for_provider_list(page, no, "Amended")
    screens.shot(page, "provider-14-claims-answered")
    page.goto(f"/provider/claims/{no}")
    expect(page.locator("main")).to_contain_text("Mary Somerville: The mentor did not complete the hours claimed: "
                                                 "Attended 3 of the 5 sessions")
    screens.shot(page, "provider-15-claim-answered")

    # Support records the provider's answer for the third claim by hand.
    wait_for_status(support, by_support, "Sampling in progress")
    step(support, screens, "provider-16-support-mentors", button="Update claim – provider rejected claim",
         h1="Which mentors’ training is not correct?")
    step(support, check="Emmy Noether", button="Continue")
    support.get_by_label("Change the hours").check()
    step(support, screens, "provider-17-support-mentor", fill={"How many hours of training did Emmy Noether do?": "1"},
         check="This training has been claimed on another claim")
    step(support, screens, "provider-18-support-check", button="Continue", h1="Check your answers")
    step(support, button="Submit", banner="The provider’s answer has been recorded")
    wait_for_status(support, by_support, "Provider not approved")

    # Support approves a claim still in sampling (the provider has not answered): it is paid.
    wait_for_status(support, approved, "Sampling in progress")
    step(support, screens, "provider-18b-support-approve-in-sampling", button="Approve claim",
         h1="Are you sure you want to approve the claim?")
    step(support, button="Approve claim", banner="Claim approved")
    wait_for_status(support, approved, "Paid")
    screens.shot(support, "provider-18c-support-approved-in-sampling")
    _wait_for_provider_list(page, approved, "Approved")
    # Every claim of the provider answered or approved: its upload page says there is nothing to answer.
    step(page, goto="/provider/responses/upload", h1="Upload your response",
         main="There are no claims waiting for your answer.")
    expect(page.locator("input[type=file]")).to_have_count(0)
    screens.shot(page, "provider-18d-nothing-to-answer")

    # Support sees the provider's answer, rejects with a structured reason; the clawback proposes its hours.
    wait_for_status(support, no, "Provider not approved")
    step(support, screens, "provider-19-support-claim-answered", main="Hours confirmed by provider")
    step(support, button="Reject claim", h1="Why are you rejecting this claim?")
    step(support, screens, "provider-20-reject-error", button="Reject claim",
         error="Select a reason for rejecting the claim")
    support.get_by_label("The mentor did not complete the hours claimed").check()
    step(support, fill={"Details": "The provider confirmed fewer hours"}, button="Reject claim",
         banner="Claim rejected")
    wait_for_status(support, no, "Claim not approved")
    step(support, button="Request clawback", h1="Request a clawback")
    mentors = {m["full_name"]: m["trn"] for m in system.api("support@example.com")
               .get(f"/api/v1/claims/{no}").json()["mentors"]}
    expect(support.locator(f"#hours_worked-{mentors['Caroline Herschel']}")).to_have_value("0")
    expect(support.locator(f"#hours_worked-{mentors['Mary Somerville']}")).to_have_value("3")
    step(support, screens, "provider-22-clawback-prefilled",
         main=("The provider confirmed 3 hours", "Provider’s reason: The provider has no record of this mentor"))
    assert_accessible(support, "clawback prefilled")


def test_the_demo_provider_user_has_claims_whose_audit_is_requested(system, new_page, screens):
    """`./cf up`'s provider@example.com (README) signs in to its claims; the seed sampled nothing new."""
    api = system.api("provider@example.com")
    listed = api.get("/api/v1/provider/claims", params={"status": "sampling_in_progress"}).json()
    assert listed["total"] >= 1
    assert {i["status_label"] for i in listed["items"]} == {"Audit requested"}
    assert len({i["provider"]["id"] for i in api.get("/api/v1/provider/claims").json()["items"]}) == 1
    page = new_page()
    sign_in(page, "provider@example.com")
    expect(page.locator("h1")).to_have_text("Claims")
    expect(page.locator("tbody")).to_contain_text("Audit requested")
    assert_accessible(page, "demo provider's claims")
