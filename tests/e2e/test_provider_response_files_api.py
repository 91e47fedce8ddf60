"""Provider response files through the running system's JSON API (docs/design.md §12, §9b): a
provider user, whose providers the gateway takes from its user record, uploads its own response
(another provider's claim refused as unknown), confirms it, and cannot touch support's downloads;
support uploads two providers' files at once and downloads each provider's part."""
from __future__ import annotations

import time

import httpx

from tests.e2e.test_money_journey_over_smtp import wait_status
from tests.support.provider_responses import answers, provider_user, providers, sampled_claims


def test_a_provider_answers_its_own_claims_by_csv_and_support_keeps_one_file_per_provider(system):
    first, second = providers(system)
    mine, theirs, later, other_later = sampled_claims(system, [
        (first, [("Rosalind Franklin", 4)]), (second, [("Dorothy Hodgkin", 3)]),
        (first, [("Lise Meitner", 2)]), (second, [("Emmy Noether", 5)])])
    support = system.api("support@example.com")
    email, password = provider_user(system, first["id"])
    provider = httpx.Client(base_url=system.url, timeout=30,
                            headers={"Authorization": f"Bearer {system.token(email, password)}"})

    # Another provider's claim reads as unknown.
    csv = answers((mine["reference"], "Rosalind Franklin", "yes", ""),
                  (theirs["reference"], "Dorothy Hodgkin", "yes", ""))
    r = provider.post("/api/v1/provider/responses", files={"file": ("ours.csv", csv.encode(), "text/csv")})
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [{"message": "Enter a valid claim reference", "row": 3, "field": "claim_reference"}]

    csv = answers((mine["reference"], "Rosalind Franklin", "no", "hours_not_completed: only 2 hours"))
    r = provider.post("/api/v1/provider/responses", files={"file": ("ours.csv", csv.encode(), "text/csv")})
    assert r.status_code == 201, r.text
    upload_id = r.json()["upload_id"]
    assert provider.get(f"/api/v1/provider/responses/{upload_id}").json()["claim_count"] == 1
    assert support.post(f"/api/v1/provider/responses/{upload_id}/confirm").status_code == 403  # providers only
    for _ in range(2):  # a second confirm answers the same
        r = provider.post(f"/api/v1/provider/responses/{upload_id}/confirm")
        assert (r.status_code, r.json()["status"]) == (202, "confirmed"), r.text
    detail = wait_status(support, mine["reference"], "sampling_provider_not_approved")
    assert detail["provider_comment"] == "Rosalind Franklin: hours_not_completed: only 2 hours"

    # Support: two providers' files at once, one wrong → nothing held, each file's errors named.
    bad = answers((theirs["reference"], "Dorothy Hodgkin", "no", ""))
    good = answers((later["reference"], "Lise Meitner", "yes", ""))
    r = support.post("/api/v1/sampling/responses", files=[("file", ("first.csv", good.encode(), "text/csv")),
                                                          ("file", ("second.csv", bad.encode(), "text/csv"))])
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [{"message": "Enter a reason", "row": 2, "field": "claim_not_assured_reason",
                                   "file": "second.csv"}]
    assert support.get(f"/api/v1/claims/{later['reference']}").json()["status"] == "sampling_in_progress"

    both = answers((theirs["reference"], "Dorothy Hodgkin", "yes", ""),
                   (other_later["reference"], "Emmy Noether", "no", "no_record_of_mentor"))
    r = support.post("/api/v1/sampling/responses", files=[("file", ("first.csv", good.encode(), "text/csv")),
                                                          ("file", ("both.csv", both.encode(), "text/csv"))])
    assert r.status_code == 201, r.text
    assert r.json()["claim_count"] == 3
    r = support.post(f"/api/v1/sampling/responses/{r.json()['upload_id']}/confirm")
    assert r.status_code == 202, r.text
    wait_status(support, later["reference"], "paid")
    wait_status(support, theirs["reference"], "paid")
    wait_status(support, other_later["reference"], "sampling_provider_not_approved")

    # Each provider's activity entry links its own part; support alone downloads it.
    title = f"Provider audit response uploaded for 2 claims from {second['name']}"
    entry = _activity(support, title, "both.csv")
    file_id = entry["files"][0]["id"]
    r = support.get(f"/api/v1/sampling/response-files/{file_id}")
    assert r.status_code == 200 and r.content == both.encode()
    assert provider.get(f"/api/v1/sampling/response-files/{file_id}").status_code == 403
    school = system.api("school@example.com")
    assert school.get(f"/api/v1/sampling/response-files/{file_id}").status_code == 403
    assert support.get("/api/v1/sampling/response-files/no-such-file").status_code == 404


def _activity(support, title: str, file_name: str, timeout: float = 30) -> dict:
    """The newest activity entry with ``title`` linking exactly the file ``file_name``."""
    deadline = time.monotonic() + timeout
    while True:
        for page in (1, 2, 3):
            for item in support.get("/api/v1/activity", params={"page": page}).json()["items"]:
                if item["title"] == title and [f["name"] for f in item["files"] or []] == [file_name]:
                    return item
        assert time.monotonic() < deadline, f"no activity {title!r}"
        time.sleep(0.5)
