"""The sample generated in the service through the gateway's JSON API (docs/design.md §13, §9b): generate
for a claim window with a coverage report, download the proposed sample, confirm it like an uploaded
file (claims in Sampling in progress, providers emailed); parameters refused in plain words."""
from __future__ import annotations

import csv
import io
import time

from .test_money_journey_over_smtp import pay_new_claim, wait_status


def test_support_generates_a_sample_downloads_it_and_confirms_it_like_an_uploaded_file(system):
    support = system.api("support@example.com")
    # Its own paid claim: the browser tests sharing this system may have sampled the demo's paid claims.
    claim, _, _ = pay_new_claim(system, [("Ada Lovelace", 6)])
    window = claim["claim_window_id"]

    refused = support.post("/api/v1/sampling/generate", json={"claim_window_id": window, "seed": "soon",
                                                              "coverage_percent": 150, "threshold": "£5k"})
    assert refused.status_code == 422
    assert {e["field"]: e["message"] for e in refused.json()["errors"]} == {
        "seed": "Enter the seed as a whole number from 0 to 9223372036854775807",
        "coverage_percent": "Enter the coverage target as a number from 0 to 100",
        "threshold": "Enter the threshold in pounds and pence, like 1072.00"}
    school = system.api("school@example.com")
    assert school.post("/api/v1/sampling/generate", json={"claim_window_id": window, "seed": 1}).status_code == 403

    r = support.post("/api/v1/sampling/generate", json={
        "claim_window_id": window, "seed": 20261207, "threshold": "5000.00", "random_percent": 20,
        "coverage_percent": 5, "extend": True})
    assert r.status_code == 201, r.text
    generated = r.json()
    assert {"upload_id", "claim_count", "strata", "total"} <= set(generated)
    assert generated["claim_count"] == generated["total"]["sampled_claims"] > 0
    assert {"stratum", "claims", "value", "sampled_claims", "sampled_value", "percent"} <= set(generated["strata"][0])

    download = support.get(f"/api/v1/sampling/uploads/{generated['upload_id']}/sample.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert len(rows) == generated["claim_count"]
    assert list(rows[0]) == ["claim_id", "school_id", "provider_id", "claim_window_id", "claim_reference_number",
                             "submitted_at", "claim_sample_reason"]
    assert all(row["claim_sample_reason"] for row in rows)

    review = support.get(f"/api/v1/sampling/uploads/{generated['upload_id']}").json()
    assert review["status"] == "pending" and review["claim_count"] == generated["claim_count"]
    assert review["generation"]["seed"] == 20261207

    before = len(system.mailbox.messages)
    confirmed = support.post(f"/api/v1/sampling/uploads/{generated['upload_id']}/confirm")
    assert confirmed.status_code == 202, confirmed.text
    wait_status(support, rows[0]["claim_reference_number"], "sampling_in_progress")
    deadline = time.monotonic() + 30
    while len(system.mailbox.messages) == before:
        assert time.monotonic() < deadline, "no provider was emailed"
        time.sleep(0.3)
