"""What the provider response file tests over the running system share: claims of their own,
paid through the payer round trip and sampled by a sample CSV naming exactly them (never the
demo's claims), and a provider user created through the API who sets its password from the
invitation email."""
from __future__ import annotations

import random
import re
import time
import uuid

import httpx

from claimflow.stack import DEMO_PASSWORD
from tests.e2e.test_money_journey_over_smtp import download, upload_and_confirm, wait_for_new, wait_status

HEADER = "claim_reference,mentor_full_name,claim_assured,claim_not_assured_reason"
PROVIDER_PASSWORD = DEMO_PASSWORD  # so tests.support.browser.sign_in signs the user in


def providers(system) -> list[dict]:
    """Two demo providers with an email address each (their sampling emails are read by nobody here)."""
    found = system.api("school@example.com").get("/api/v1/providers").json()["items"]
    assert len(found) >= 2, found
    return found[:2]


def sampled_claims(system, specs: list[tuple[dict, list[tuple[str, int]]]]) -> list[dict]:
    """New claims of the demo school, one per (provider, mentors), paid through the payer round trip
    and then sampled by a sample file naming exactly them: each claim as submitted."""
    school = system.api("school@example.com")
    support = system.api("support@example.com")
    claims = []
    for provider, mentors in specs:
        r = school.post("/api/v1/claims", json={"school_urn": "100001", "provider_id": provider["id"], "mentors": [
            {"trn": f"{random.randrange(10**6, 10**7)}", "full_name": name, "hours": hours}
            for name, hours in mentors]})
        assert r.status_code == 201, r.text
        claims.append(r.json())
    refs = [c["reference"] for c in claims]
    deadline = time.monotonic() + 30
    while set(refs) - {i["reference"] for i in support.get("/api/v1/payments/claims", params={
            "status": "submitted", "per_page": 500}).json()["items"]}:
        assert time.monotonic() < deadline, "payments never learnt of the claims"
        time.sleep(0.3)
    before = len(system.mailbox.messages)
    sent = support.post("/api/v1/payments", json={"claim_window_id": claims[0]["claim_window_id"]})
    assert sent.status_code in {201, 202}, sent.text
    for ref in refs:
        wait_status(support, ref, "payment_in_progress")
    download(system.mailbox.link(wait_for_new(system.mailbox, before, "payer@example.com")))
    upload_and_confirm(support, "/api/v1/payments/responses", "claim_reference,claim_status,claim_unpaid_reason\n"
                       + "".join(f"{ref},Paid,\n" for ref in refs))
    for ref in refs:
        wait_status(support, ref, "paid")
    # Sampling learns the claims are paid from claims' events: the sample file is refused until then.
    sample = "claim_reference,sample_reason\n" + "".join(f"{ref},Random sample\n" for ref in refs)
    deadline = time.monotonic() + 30
    while (r := support.post("/api/v1/sampling/uploads", files={"file": ("sample.csv", sample.encode(),
                                                                        "text/csv")})).status_code == 422:
        assert time.monotonic() < deadline, r.text
        time.sleep(0.5)
    assert r.status_code == 201, r.text
    assert support.post(f"/api/v1/sampling/uploads/{r.json()['upload_id']}/confirm").status_code == 202
    for ref in refs:
        wait_status(support, ref, "sampling_in_progress")
    return claims


def provider_user(system, provider_id: str) -> tuple[str, str]:
    """A new provider user of ``provider_id`` with its password set from the invitation: (email, password)."""
    email = f"audit-{uuid.uuid4().hex[:8]}@provider.example"
    r = system.api("support@example.com").post("/api/v1/users", json={
        "email": email, "first_name": "Ada", "last_name": "Audit", "role": "provider", "provider_ids": [provider_id]})
    assert r.status_code == 201, r.text
    message = system.mailbox.wait_for(email, subject_contains="Create your password")
    body = message.get_body(preferencelist=("plain", "html")).get_content()
    token = re.search(r"https?://\S+/invitations/([A-Za-z0-9_\-]+)", body).group(1)
    r = httpx.post(f"{system.url}/api/v1/invitations/{token}", json={"password": PROVIDER_PASSWORD}, timeout=10)
    assert r.status_code in {200, 201, 204}, r.text
    return email, PROVIDER_PASSWORD


def answers(*rows: tuple[str, str, str, str]) -> str:
    return HEADER + "\n" + "".join(",".join(row) + "\n" for row in rows)
