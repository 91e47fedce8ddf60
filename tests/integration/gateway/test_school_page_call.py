"""The claims service's one call a school page makes (``GET /internal/v1/schools/{urn}/page``, docs/design.md
§11): the same school, claim, allowances, providers and windows as the separate calls, in one answer, and
the same refusals (another school is not found, another school's claim is not found)."""
from __future__ import annotations

import httpx

from tests.support.system import TOKEN, running_system

HACKNEY, SLOUGH = "head@hackney.example", "head@slough.example"


def actor(email: str, urn: str) -> dict[str, str]:
    return {"x-internal-token": TOKEN, "x-actor-email": email, "x-actor-role": "school", "x-actor-school": urn}


async def test_one_call_answers_what_a_school_page_needs_as_the_separate_calls_do(infra):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        provider_id = org["provider"]["id"]
        school = await system.as_user(HACKNEY)
        r = await system.client.post("/api/v1/claims/drafts", headers=school, json={
            "school_urn": "100001", "provider_id": provider_id,
            "mentors": [{"trn": "1234567", "full_name": "Ada Lovelace", "hours": 10}]})
        assert r.status_code == 201, r.text
        ref = r.json()["reference"]
        assert (await system.submit(SLOUGH, "100004", provider_id, [("7654321", "Grace Hopper", 3)])).status_code == 201
        slough_ref = (await system.client.get("/api/v1/claims", headers=await system.as_user(SLOUGH))).json()[
            "items"][0]["reference"]

        async with httpx.AsyncClient(base_url=system.claims_url + "/internal/v1", headers=actor(HACKNEY, "100001")) \
                as claims:
            r = await claims.get("/schools/100001/page", params={
                "claim": ref, "allowances": "true", "providers": "true", "windows": "true"})
            assert r.status_code == 200, r.text
            page = r.json()
            assert page["school"] == (await claims.get("/schools/100001/organisation")).json()
            assert page["claim"] == (await claims.get(f"/claims/{ref}")).json()
            assert page["allowances"] == (await claims.get("/schools/100001/allowances", params={
                "provider_id": provider_id, "trn": ["1234567"], "editing": ref})).json()
            assert page["allowances"]["mentors"][0]["remaining"] == 16  # the draft's own hours do not count
            assert page["providers"] == (await claims.get("/providers")).json()["items"]
            assert page["windows"] == (await claims.get("/claim-windows")).json()["items"]

            only = (await claims.get("/schools/100001/page")).json()
            assert only["school"]["urn"] == "100001"
            assert (only["claim"], only["allowances"], only["providers"], only["windows"]) == (None,) * 4

            r = await claims.get("/schools/100001/page", params={"claim": slough_ref, "allowances": "true"})
            assert r.status_code == 404 and r.json()["errors"][0]["field"] == "reference"
            r = await claims.get("/schools/100004/page")
            assert r.status_code == 404 and r.json()["errors"][0]["field"] == "school_urn"

            r = await system.client.post(f"/api/v1/claims/{ref}/submit", headers=school, json={"declaration": True})
            assert r.status_code == 200, r.text
            page = (await claims.get("/schools/100001/page", params={"claim": ref, "allowances": "true"})).json()
            assert page["claim"]["status"] == "submitted" and page["allowances"] is None  # only a draft's
