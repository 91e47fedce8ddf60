"""Drafts, submit, allowances and invalid provider through the public JSON API (docs/design.md §9b, §11):
gateway → claims over real HTTP, each with its own database."""
from __future__ import annotations

from datetime import date

from tests.support.system import running_system

HACKNEY, SLOUGH, MAT, SUPPORT = "head@hackney.example", "head@slough.example", "ceo@northern.example", \
    "support@example.com"


async def draft(system, email: str, urn: str, provider_id: str, mentors: list[dict]) -> dict:
    r = await system.client.post("/api/v1/claims/drafts", headers=await system.as_user(email),
                                 json={"school_urn": urn, "provider_id": provider_id, "mentors": mentors})
    assert r.status_code == 201, r.text
    return r.json()


async def test_a_school_saves_a_draft_changes_it_submits_it_and_then_cannot_change_or_delete_it(infra):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        school = await system.as_user(HACKNEY)
        created = await draft(system, HACKNEY, "100001", org["provider"]["id"],
                              [{"trn": "1234567", "full_name": "Ada Lovelace"}])
        assert created["status"] == "draft" and len(created["reference"]) == 8
        ref = created["reference"]

        r = await system.client.patch(f"/api/v1/claims/{ref}", headers=school, json={"mentors": [
            {"trn": "1234567", "full_name": "Ada Lovelace", "hours": 16},
            {"trn": "7654321", "full_name": "Grace Hopper", "hours": 4}]})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "draft" and r.json()["amount"] == "1072.00"

        r = await system.client.post(f"/api/v1/claims/{ref}/submit", headers=school, json={"declaration": False})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "declaration"
        r = await system.client.post(f"/api/v1/claims/{ref}/submit", headers=school, json={"declaration": True})
        assert r.status_code == 200, r.text
        claim = r.json()
        assert (claim["status"], claim["amount"], claim["reference"]) == ("submitted", "1072.00", ref)
        assert claim["submitted_at"]

        r = await system.client.patch(f"/api/v1/claims/{ref}", headers=school, json={"mentors": []})
        assert r.status_code == 422
        assert "has been submitted" in r.json()["errors"][0]["message"]
        r = await system.client.post(f"/api/v1/claims/{ref}/submit", headers=school, json={"declaration": True})
        assert r.status_code == 422 and "cannot be changed" in r.json()["errors"][0]["message"]
        r = await system.client.delete(f"/api/v1/claims/{ref}", headers=school)
        assert r.status_code == 422 and "only a draft can be deleted" in r.json()["errors"][0]["message"]

        other = await draft(system, HACKNEY, "100001", org["provider"]["id"], [])
        r = await system.client.delete(f"/api/v1/claims/{other['reference']}", headers=school)
        assert r.status_code == 204
        r = await system.client.get(f"/api/v1/claims/{other['reference']}", headers=school)
        assert r.status_code == 404


async def test_support_creates_a_draft_for_a_school_but_only_the_school_can_submit_it(infra):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        ref = (await draft(system, SUPPORT, "100001", org["provider"]["id"],
                           [{"trn": "1234567", "full_name": "Ada Lovelace", "hours": 5}]))["reference"]
        r = await system.client.post(f"/api/v1/claims/{ref}/submit", headers=await system.as_user(SUPPORT),
                                     json={"declaration": True})
        assert r.status_code == 403
        r = await system.client.post(f"/api/v1/claims/{ref}/submit", headers=await system.as_user(HACKNEY),
                                     json={"declaration": True})
        assert r.status_code == 200 and r.json()["status"] == "submitted"
        # the school never sees the support user's email on its claim
        detail = (await system.client.get(f"/api/v1/claims/{ref}", headers=await system.as_user(HACKNEY))).json()
        assert SUPPORT not in str(detail)
        assert SUPPORT in str((await system.client.get(f"/api/v1/claims/{ref}",
                                                        headers=await system.as_user(SUPPORT))).json())


async def test_a_school_user_cannot_read_change_submit_or_delete_another_schools_draft(infra):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        ref = (await draft(system, HACKNEY, "100001", org["provider"]["id"], []))["reference"]
        slough = await system.as_user(SLOUGH)
        assert (await system.client.get(f"/api/v1/claims/{ref}", headers=slough)).status_code == 404
        assert (await system.client.patch(f"/api/v1/claims/{ref}", headers=slough, json={})).status_code == 404
        assert (await system.client.post(f"/api/v1/claims/{ref}/submit", headers=slough,
                                         json={"declaration": True})).status_code == 404
        assert (await system.client.delete(f"/api/v1/claims/{ref}", headers=slough)).status_code == 404
        r = await system.client.post("/api/v1/claims/drafts", headers=slough, json={
            "school_urn": "100001", "provider_id": org["provider"]["id"], "mentors": []})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "school_urn"
        # a trust user claims for a school of its trust, not for another
        r = await system.client.post("/api/v1/claims/drafts", headers=await system.as_user(MAT), json={
            "school_urn": "100001", "provider_id": org["provider"]["id"], "mentors": []})
        assert r.status_code == 422
        await draft(system, MAT, "100003", org["provider"]["id"], [])


async def test_allowances_count_submitted_hours_but_not_drafts_and_refuse_hours_over_what_is_left(infra):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        provider = org["provider"]["id"]
        r = await system.submit(HACKNEY, "100001", provider, [("1234567", "Ada Lovelace", 10)])
        assert r.status_code == 201, r.text
        await draft(system, HACKNEY, "100001", provider, [{"trn": "7654321", "full_name": "Grace Hopper",
                                                           "hours": 16}])
        r = await system.client.get("/api/v1/schools/100001/allowances", headers=await system.as_user(HACKNEY),
                                    params={"provider_id": provider})
        assert r.status_code == 200, r.text
        by_trn = {m["trn"]: m for m in r.json()["mentors"]}
        assert by_trn["1234567"] == {"trn": "1234567", "full_name": "Ada Lovelace", "kind": "initial", "limit": 16,
                                     "used": 10, "remaining": 6}
        assert by_trn["7654321"]["used"] == 0 and by_trn["7654321"]["remaining"] == 16  # a draft does not count

        r = await system.client.post("/api/v1/claims/drafts", headers=await system.as_user(HACKNEY), json={
            "school_urn": "100001", "provider_id": provider,
            "mentors": [{"trn": "2222222", "full_name": "Alan Turing", "hours": 17}]})
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "hours"
        assert "between 1 and 16" in r.json()["errors"][0]["message"]
        # the same mentor again in this window with this provider
        r = await system.client.post("/api/v1/claims/drafts", headers=await system.as_user(HACKNEY), json={
            "school_urn": "100001", "provider_id": provider,
            "mentors": [{"trn": "1234567", "full_name": "Ada Lovelace", "hours": 2}]})
        assert r.status_code == 422
        assert r.json()["errors"][0] == {
            "message": "You have already claimed for this mentor with this provider in this claim window",
            "row": 1, "field": "trn"}
        r = await system.client.get("/api/v1/schools/100004/allowances", headers=await system.as_user(HACKNEY),
                                    params={"provider_id": provider})
        assert r.status_code == 404


async def test_a_draft_started_before_the_window_opens_cannot_be_submitted_until_it_opens(infra):
    async with running_system(infra, today=date(2026, 8, 20)) as system:
        org = await system.setup_organisations()  # the window opens on 1 September 2026
        ref = (await draft(system, HACKNEY, "100001", org["provider"]["id"],
                           [{"trn": "1234567", "full_name": "Ada Lovelace", "hours": 3}]))["reference"]
        r = await system.client.post(f"/api/v1/claims/{ref}/submit", headers=await system.as_user(HACKNEY),
                                     json={"declaration": True})
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "claim_window_id"
        assert "claims are closed" in r.json()["errors"][0]["message"]


async def test_support_marks_a_provider_invalid_and_the_school_chooses_another_and_resubmits(infra):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        support = await system.as_user(SUPPORT)
        other = (await system.client.post("/api/v1/providers", headers=support, json={
            "name": "Teach First", "code": "TF", "email_addresses": ["audit@tf.example"]})).json()
        ref = (await system.submit(HACKNEY, "100001", org["provider"]["id"],
                                   [("1234567", "Ada Lovelace", 10)])).json()["reference"]
        school = await system.as_user(HACKNEY)
        r = await system.client.post(f"/api/v1/claims/{ref}/invalid-provider", headers=school, json={"reason": "x"})
        assert r.status_code == 403
        r = await system.client.post(f"/api/v1/claims/{ref}/invalid-provider", headers=support, json={"reason": " "})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
        r = await system.client.post(f"/api/v1/claims/{ref}/invalid-provider", headers=support,
                                     json={"reason": "The provider did not train these mentors"})
        assert r.status_code == 200 and r.json()["status"] == "invalid_provider", r.text
        seen = (await system.client.get(f"/api/v1/claims/{ref}", headers=school)).json()
        assert seen["status_label"] == "Action needed"
        assert seen["invalid_provider_reason"] == "The provider did not train these mentors"

        r = await system.client.post(f"/api/v1/claims/{ref}/provider", headers=school,
                                     json={"provider_id": org["provider"]["id"]})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "provider_id"
        r = await system.client.post(f"/api/v1/claims/{ref}/provider", headers=school, json={"provider_id": other["id"]})
        assert r.status_code == 200, r.text
        claim = r.json()
        assert (claim["status"], claim["provider"]["name"], claim["amount"]) == ("submitted", "Teach First", "536.00")
        r = await system.client.post(f"/api/v1/claims/{ref}/provider", headers=school, json={"provider_id": other["id"]})
        assert r.status_code == 422  # only a claim whose provider was marked invalid
