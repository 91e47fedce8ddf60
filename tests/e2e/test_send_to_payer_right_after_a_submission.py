"""Send to payer pressed the moment after a school submits (issue 26 item 13), through the running
system: the claim is in the payment, and the answer says no claim is still arriving, so "N claims
sent" always agrees with the claims list."""
from __future__ import annotations

import random


def test_a_claim_submitted_just_before_send_to_payer_is_in_the_payment(system):
    school = system.api("school@example.com")
    support = system.api("support@example.com")
    provider = school.get("/api/v1/providers").json()["items"][0]
    r = school.post("/api/v1/claims", json={"school_urn": "100001", "provider_id": provider["id"], "mentors": [
        {"trn": f"{random.randrange(10**6, 10**7)}", "full_name": "Emmy Noether", "hours": 3}]})
    assert r.status_code == 201, r.text
    claim = r.json()

    sent = support.post("/api/v1/payments", json={"claim_window_id": claim["claim_window_id"]})

    assert sent.status_code == 201, sent.text
    assert sent.json()["claims_still_arriving"] == 0
    payment = support.get(f"/api/v1/payments/{sent.json()['payment_id']}").json()
    assert claim["reference"] in {c["reference"] for c in payment["claims"]}
    assert payment["claim_count"] == sent.json()["claim_count"] == len(payment["claims"])
