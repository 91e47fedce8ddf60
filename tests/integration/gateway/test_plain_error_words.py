"""Every 4xx of the JSON API says what to do in plain words naming the field, whether the gateway or
a service refused the request (a service's refusal passes through the gateway as it is)."""
from __future__ import annotations

import re

import httpx

from tests.support.system import TOKEN, running_system

FRAMEWORK = re.compile(r"Field required|Input should|Value error|Extra inputs|String should|<class '")


async def test_the_gateway_refuses_bad_input_in_plain_words_naming_the_field(infra):
    async with running_system(infra) as system:
        support = await system.as_user("support@example.com")
        school = await system.as_user("head@hackney.example")
        get = system.client.get
        cases = [
            (await get("/api/v1/claims", headers=support, params={"page": "two"}),
             {"message": "Enter the page number as a whole number", "field": "page"}),
            (await get("/api/v1/claims", headers=support, params={"sort": "password"}),
             {"message": "Sort by one of: reference, school_name, provider_name, status, amount, submitted_at, "
                         "claim_window_id, academic_year, assigned_to, school_urn", "field": "sort"}),
            (await get("/api/v1/claims", headers=support, params={"submitted_from": "31/12/2026"}),
             {"message": "Enter a date in the format 2026-12-31", "field": "submitted_from"}),
            (await system.client.post("/api/v1/claims", headers=school, json={
                "school_urn": "100001", "provider_id": "p", "mentors": [
                    {"trn": "1234567", "full_name": "Ada Lovelace", "hours": "ten"}]}),
             {"message": "Enter the number of hours as a whole number", "field": "mentors.0.hours"}),
            (await system.client.post("/api/v1/providers", headers=support, json={"code": "BPN", "colour": "red"}),
             {"message": "Enter the name", "field": "name"}),
            (await system.client.post("/api/v1/providers", headers=support, json={"name": "B", "code": "B", "x": 1}),
             {"message": "Remove x: this request does not accept it", "field": "x"}),
            (await system.client.post("/api/v1/providers", headers={**support, "Content-Type": "application/json"},
                                      content=b"{not json"),
             {"message": "Send the request body as valid JSON"}),
        ]
        for response, first in cases:
            assert response.status_code == 422, response.text
            assert response.json()["errors"][0] == first
            assert not FRAMEWORK.search(response.text), response.text


async def test_a_services_own_validation_errors_are_plain_words_too(infra):
    """The services' shared error handler: what the gateway passes through is already plain."""
    async with running_system(infra) as system:
        async with httpx.AsyncClient(base_url=system.claims_url, headers={"x-internal-token": TOKEN}) as claims:
            r = await claims.get("/internal/v1/claims", params={"page": "two", "order": "sideways",
                                                                  "submitted_to": "tomorrow"})
        assert r.status_code == 422
        assert r.json() == {"errors": [
            {"message": "Enter a date in the format 2026-12-31", "field": "submitted_to"},
            {"message": "Order by asc or desc", "field": "order"},
            {"message": "Enter the page number as a whole number", "field": "page"}]}
