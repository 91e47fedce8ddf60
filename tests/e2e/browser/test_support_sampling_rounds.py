"""Support steers a sampling round in the browser, through the whole running system: a new accredited
provider's claim is paid (the payer's round trip) and sampled alone; support opens "Sampling rounds"
from the Sampling page, then the round's page (per provider: claims, emailed to, link downloaded,
answers, reminders, days left; the counts per reason), presses "Resend link" and "Send reminder", and
the emails arrive at the real SMTP server; a second reminder the same day is refused with the reason.
Every page is screenshotted and checked by axe-core (``screens.shot``).

The test makes its own provider, claim and sample: it never samples the demo's paid claims."""
from __future__ import annotations

import random
import time

from playwright.sync_api import expect

from tests.e2e.test_money_journey_over_smtp import pay_new_claim, wait_for_new, wait_status
from tests.support.browser import sign_in
from tests.support.journeys import step


def _new_provider(support) -> dict:
    n = random.randrange(10**5, 10**6)
    r = support.post("/api/v1/providers", json={"name": f"Rounds Teaching Partnership {n}", "code": f"RTP{n}",
                                               "email_addresses": [f"audit-{n}@rounds.example"]})
    assert r.status_code == 201, r.text
    return r.json()


def _activity(support, title: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while title not in {a["title"] for a in support.get("/api/v1/activity").json()["items"]}:
        assert time.monotonic() < deadline, f"no activity entry {title!r}"
        time.sleep(0.5)


def test_support_opens_a_round_resends_the_link_and_sends_a_reminder_by_email(system, new_page, screens):
    mail = system.mailbox
    support = system.api("support@example.com")
    provider = _new_provider(support)
    address = provider["email_addresses"][0]
    claim, _, _ = pay_new_claim(system, [("Rosa Parks", 3)], provider=provider)
    ref = claim["reference"]

    before = len(mail.messages)
    created = support.post("/api/v1/sampling/uploads", files={"file": (
        "rounds.csv", f"claim_reference_number,claim_sample_reason\n{ref},Random sample\n".encode(), "text/csv")})
    assert created.status_code == 201, created.text
    round_id = created.json()["upload_id"]
    assert support.post(f"/api/v1/sampling/uploads/{round_id}/confirm").status_code == 202
    wait_status(support, ref, "sampling_in_progress")
    request = wait_for_new(mail, before, address)
    assert "need to be audited" in request["Subject"]

    page = new_page()
    sign_in(page, "support@example.com")
    page.goto("/claims/sampling")
    step(page, link="Sampling rounds", h1="Sampling rounds")
    expect(page.locator(f'a[href="/claims/sampling/rounds/{round_id}"]')).to_be_visible()
    screens.shot(page, "rounds-01-list")

    page.locator(f'a[href="/claims/sampling/rounds/{round_id}"]').click()
    expect(page.locator("h1")).to_have_text("Sampling round")
    table = page.locator(f'table#provider-{provider["id"]}')
    expect(table.locator("caption")).to_have_text(provider["name"])
    expect(table).to_contain_text(address)
    expect(table).to_contain_text("Not downloaded")
    expect(table).to_contain_text("21 days left")
    expect(page.locator("table", has_text="Reason")).to_contain_text(
        "The mentor did not complete the hours claimed")
    screens.shot(page, "rounds-02-round")

    # Resend link: a new link by email (the earlier one stops working), a banner and the activity log.
    before = len(mail.messages)
    step(page, screens, "rounds-03-link-resent", button=f"Resend link to {provider['name']}",
         banner=f"A new link has been sent to {provider['name']}")
    resent = wait_for_new(mail, before, address)
    assert resent["Subject"].startswith("New link: ITT mentor claims to audit by")
    assert mail.link(resent) != mail.link(request)
    _activity(support, f"Sampling link sent again to {provider['name']} ({address})")

    # Send reminder: an email, a banner, the activity log, and the round lists it.
    before = len(mail.messages)
    step(page, button=f"Send reminder to {provider['name']}", banner=f"A reminder has been sent to {provider['name']}")
    expect(page.locator(f'table#provider-{provider["id"]}')).to_contain_text("sent by support@example.com")
    screens.shot(page, "rounds-04-reminder-sent")
    reminder = wait_for_new(mail, before, address)
    assert reminder["Subject"].startswith("Reminder: ITT mentor claims must be audited by")
    assert "1 claim" in reminder.get_body(preferencelist=("plain", "html")).get_content()
    _activity(support, f"Sampling reminder sent by hand to {provider['name']} for 1 claim waiting for an answer")

    # A second reminder the same day is refused, in the error summary, linked to the button.
    page.get_by_role("button", name=f"Send reminder to {provider['name']}").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"A reminder has already been sent to {provider['name']} today")
    screens.shot(page, "rounds-05-reminder-refused")

    detail = support.get(f"/api/v1/sampling/rounds/{round_id}").json()
    ours = detail["providers"]
    assert [(p["provider_id"], p["claims"], p["open_claims"], p["emailed_to"]) for p in ours] == [
        (provider["id"], 1, 1, [address])]
    assert [r["sent_by"] for r in ours[0]["reminders"]] == ["support@example.com"]
    listed = support.get("/api/v1/sampling/rounds").json()
    assert round_id in {r["id"] for r in listed["items"]}
