"""The claims part of the public JSON API, end to end: gateway → claims over real HTTP."""
from __future__ import annotations

import csv
import io

from tests.support.system import running_system

INNER_LONDON_TWO_MENTORS = [("1234567", "Ada Lovelace", 10), ("7654321", "Grace Hopper", 10)]


async def test_a_school_user_submits_a_claim_and_support_finds_it(infra):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        r = await system.submit("head@hackney.example", "100001", org["provider"]["id"], INNER_LONDON_TWO_MENTORS)
        assert r.status_code == 201, r.text
        claim = r.json()
        assert claim["amount"] == "1072.00"
        assert claim["status"] == "submitted" and claim["status_label"] == "Submitted"
        assert len(claim["reference"]) == 8 and claim["reference"].isdigit()

        support = await system.as_user("support@example.com")
        found = (await system.client.get("/api/v1/claims", headers=support, params={"q": claim["reference"]})).json()
        assert found["total"] == 1 and found["page"] == 1
        assert found["items"][0]["reference"] == claim["reference"]

        detail = (await system.client.get(f"/api/v1/claims/{claim['reference']}", headers=support)).json()
        assert [m["hours"] for m in detail["mentors"]] == [10, 10]
        assert detail["school"]["urn"] == "100001" and detail["provider"]["name"] == "Best Practice Network"

        r = await system.client.get("/api/v1/claims.csv", headers=support, params={"status": "submitted"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert [(row["claim_reference"], row["claim_amount"]) for row in rows] == [(claim["reference"], "1072.00")]


async def test_support_assigns_a_claim_only_to_a_support_user_and_the_activity_log_says_so(infra, isolated_env):
    async with running_system(infra, messaging=True) as system:
        org = await system.setup_organisations()
        ref = (await system.submit_hackney_claim(org, [("1234567", "Ada Lovelace", 5)]))["reference"]
        support = await system.as_user("support@example.com")
        r = await system.client.post(f"/api/v1/claims/{ref}/assign", headers=support,
                                     json={"user_email": "Support2@example.com"})
        assert r.status_code == 200, r.text
        assert r.json()["assigned_to"] == "support2@example.com"
        r = await system.client.post(f"/api/v1/claims/{ref}/assign", headers=support,
                                     json={"user_email": "head@hackney.example"})
        assert r.status_code == 422
        assert r.json() == {"errors": [{"message": "Select a support user to assign the claim to",
                                        "field": "user_email"}]}
        mine = (await system.client.get("/api/v1/claims", headers=support,
                                        params={"assigned_to": "support2@example.com"})).json()
        assert [c["reference"] for c in mine["items"]] == [ref]

        async def logged():
            log = (await system.client.get("/api/v1/activity", headers=support)).json()
            assert log["items"] and log["items"][0]["title"] == f"Claim {ref} assigned to support2@example.com"
            assert log["items"][0]["actor"] == "support@example.com"
            return log

        await system.eventually(logged)


async def test_a_school_user_cannot_read_another_schools_claim(infra):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        ref = (await system.submit_hackney_claim(org, [("1234567", "Ada Lovelace", 5)]))["reference"]
        slough = await system.as_user("head@slough.example")
        r = await system.client.get(f"/api/v1/claims/{ref}", headers=slough)
        assert r.status_code == 404
        assert r.json()["errors"][0]["message"] == f"There is no claim with the reference {ref}"
        listed = (await system.client.get("/api/v1/claims", headers=slough)).json()
        assert listed["total"] == 0
        r = await system.submit("head@slough.example", "100001", org["provider"]["id"], [("2345678", "Alan Turing", 5)])
        assert r.status_code == 422
        assert r.json()["errors"][0] == {"message": "You can only claim for your own school", "field": "school_urn"}


async def test_a_mat_user_sees_and_claims_only_for_the_trusts_schools(infra):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        pid = org["provider"]["id"]
        mat = "ceo@northern.example"
        barnet = await system.submit(mat, "100002", pid, [("1234567", "Ada Lovelace", 4)])
        leeds = await system.submit(mat, "100003", pid, [("2345678", "Alan Turing", 4)])
        assert barnet.status_code == 201 and leeds.status_code == 201, (barnet.text, leeds.text)
        hackney = await system.submit("head@hackney.example", "100001", pid, [("3456789", "Mary Somerville", 4)])
        outside = await system.submit(mat, "100001", pid, [("4567890", "Emmy Noether", 4)])
        assert outside.status_code == 422
        assert outside.json()["errors"][0]["message"] == "You can only claim for schools in your trust"

        listed = (await system.client.get("/api/v1/claims", headers=await system.as_user(mat))).json()
        assert sorted(c["school"]["urn"] for c in listed["items"]) == ["100002", "100003"]
        r = await system.client.get(f"/api/v1/claims/{hackney.json()['reference']}", headers=await system.as_user(mat))
        assert r.status_code == 404


async def test_downstream_errors_pass_through_with_their_status_and_rows(infra):
    async with running_system(infra) as system:
        await system.setup_organisations()
        support = await system.as_user("support@example.com")
        r = await system.client.post("/api/v1/claim-windows", headers=support, json={
            "starts_on": "2027-09-01", "ends_on": "2027-08-01", "academic_year": "2027/28"})
        assert r.status_code == 422
        assert r.json() == {"errors": [{"message": "Enter a window closing date that is after the opening date",
                                        "field": "ends_on"}]}
        r = await system.client.get("/api/v1/claims", headers=support, params={"page": 0})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "page"


async def test_an_unavailable_service_is_a_503_with_a_clear_message(infra):
    async with running_system(infra, claims_url="http://127.0.0.1:9", NOTIFY_URL="http://127.0.0.1:9") as system:
        r = await system.client.get("/api/v1/claims", headers=await system.as_user("support@example.com"))
        assert r.status_code == 503
        assert r.json() == {"errors": [{"message": "Sorry, the claims service is unavailable. Try again later."}]}
        r = await system.client.get("/api/v1/notifications", headers=await system.as_user("support@example.com"))
        assert r.status_code == 503
        assert "notifications service is unavailable" in r.json()["errors"][0]["message"]
