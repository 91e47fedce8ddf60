"""The running system answers as a whole: every service ready, a school claim travels through the
bus and shows in support's search, and operations can see metrics."""
from __future__ import annotations

import time

import httpx


def test_every_service_is_ready_and_exposes_metrics(system):
    for name, url in system.service_urls.items():
        assert httpx.get(f"{url}/readyz", timeout=5).status_code == 200, name
        metrics = httpx.get(f"{url}/metrics", timeout=5).text
        assert "claimflow_outbox_backlog" in metrics, name
    assert httpx.get(f"{system.url}/readyz", timeout=5).status_code == 200


def test_a_school_claim_is_visible_to_support_and_its_activity_is_logged(system):
    school = system.api("school@example.com")
    providers = school.get("/api/v1/providers").json()["items"]
    r = school.post("/api/v1/claims", json={"school_urn": "100001", "provider_id": providers[0]["id"],
                                            "mentors": [{"trn": "7777777", "full_name": "Edith Clarke", "hours": 2}]})
    assert r.status_code == 201, r.text
    ref = r.json()["reference"]
    support = system.api("support@example.com")
    found = support.get("/api/v1/claims", params={"q": ref}).json()
    assert [i["reference"] for i in found["items"]] == [ref]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        detail = support.get(f"/api/v1/claims/{ref}").json()
        if detail["activity"]:
            break
        time.sleep(0.2)
    assert detail["activity"][0]["title"] == f"Claim {ref} submitted"
